package io.streamspace.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @ParameterizedTest
  @ValueSource(strings = {"{\"amount\":1} xyz", "{\"amount\":1}}", "{\"amount\":1} {}"})
  void aBodyWithAnythingAfterItsJsonObjectIsRefused(String body) {
    HttpRequest request =
        new HttpRequest(
            HttpMethod.POST,
            "/admin/credits",
            null,
            null,
            null,
            body.getBytes(StandardCharsets.UTF_8),
            null);

    ApiException refused = assertThrows(ApiException.class, () -> Json.readObject(request));
    assertEquals(400, refused.error().status());
    assertEquals("invalid_json", refused.error().code());
  }

  @Test
  void anErrorNamesItsFieldOrLeavesTheMemberOutAsTheHostDoes() {
    String withField =
        new String(
            ApiException.badParameter("limit", "must be 1 to 100").error().response().body(),
            StandardCharsets.UTF_8);
    String without =
        new String(
            ApiException.conflict("taken").error().response().body(), StandardCharsets.UTF_8);

    assertEquals(
        "{\"error\":{\"code\":\"invalid_parameter\",\"message\":\"must be 1 to 100\","
            + "\"field\":\"limit\"}}",
        withField);
    assertEquals("{\"error\":{\"code\":\"conflict\",\"message\":\"taken\"}}", without);
  }
}
