package io.streamspace.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathIdTest {

  @Test
  void asciiDigitsNameAnId() {
    assertEquals(OptionalLong.of(42), PathId.parse("42"));
    assertEquals(42, PathId.of(request("42"), "id", "invoice"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"１", "-1", "1e3", "", "1234567890123456789"})
  void anythingElseIsNoSuchResource(String segment) {
    assertEquals(OptionalLong.empty(), PathId.parse(segment));
    ApiException refused =
        assertThrows(ApiException.class, () -> PathId.of(request(segment), "id", "invoice"));
    assertEquals(404, refused.error().status());
    assertEquals("no invoice " + segment, refused.error().message());
  }

  private static HttpRequest request(String id) {
    return new HttpRequest(
        HttpMethod.GET, "/invoices/" + id, Map.of("id", id), null, null, null, null);
  }
}
