package io.streamspace.plugin.api.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpErrorTest {

  @Test
  void anErrorNamesTheFieldAtFaultAndLeavesTheMemberOutWhenNoneIs() {
    assertEquals(
        "{\"error\":{\"code\":\"invalid_parameter\",\"message\":\"must be 1 to 100\","
            + "\"field\":\"limit\"}}",
        body(
            HttpResponse.error(
                HttpStatus.BAD_REQUEST, "invalid_parameter", "must be 1 to 100", "limit")));
    assertEquals(
        "{\"error\":{\"code\":\"conflict\",\"message\":\"taken\"}}",
        body(HttpResponse.error(HttpStatus.CONFLICT, "conflict", "taken", null)));
  }

  @Test
  void quotesBackslashesAndControlCharactersAreEscaped() {
    String message = "say \"hi\" to C:\\temp\n\tnow\r\b\f\u0000\u0001\u001f\u007f";

    assertEquals(
        "{\"error\":{\"code\":\"bad\",\"message\":"
            + "\"say \\\"hi\\\" to C:\\\\temp\\n\\tnow\\r\\b\\f\\u0000\\u0001\\u001f\u007f\","
            + "\"field\":\"a\\\"b\"}}",
        new HttpError(HttpStatus.BAD_REQUEST, "bad", message, "a\"b").json());
  }

  @Test
  void nonAsciiTextIsSentAsItIsInUtf8() {
    String message = "café, 日本, €5 and 😀";

    HttpResponse response = HttpResponse.error(HttpStatus.BAD_REQUEST, "bad", message, "naïve");

    assertArrayEquals(
        ("{\"error\":{\"code\":\"bad\",\"message\":\"" + message + "\",\"field\":\"naïve\"}}")
            .getBytes(UTF_8),
        response.body());
    assertEquals(HttpResponse.JSON, response.contentType());
  }

  @Test
  void membersFollowTheFieldInTheirOrderWithTheirJsonTypes() {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("index", 3);
    detail.put("field", "user_id");
    detail.put("message", "is required");
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("invoice_id", 42L);
    members.put("existing", null);
    members.put("total", new BigDecimal("1E+2"));
    members.put("rate", 0.5);
    members.put("final", true);
    members.put("details", List.of(detail));

    assertEquals(
        "{\"error\":{\"code\":\"invoice_exists\",\"message\":\"taken\",\"invoice_id\":42,"
            + "\"existing\":null,\"total\":100,\"rate\":0.5,\"final\":true,"
            + "\"details\":[{\"index\":3,\"field\":\"user_id\",\"message\":\"is required\"}]}}",
        new HttpError(HttpStatus.CONFLICT, "invoice_exists", "taken", null, members).json());
  }

  @Test
  void aServiceUnavailableAnswerSaysWhenToRetryAndOthersDoNot() {
    HttpResponse unavailable = HttpError.databaseUnavailable().response();
    HttpResponse notFound = HttpError.notFound("no invoice 7").response();

    assertEquals(503, unavailable.status());
    assertEquals(
        Map.of("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS)),
        unavailable.headers());
    assertEquals(
        "{\"error\":{\"code\":\"database_unavailable\","
            + "\"message\":\"the database is unavailable; retry later\"}}",
        body(unavailable));
    assertEquals(404, notFound.status());
    assertEquals(Map.of(), notFound.headers());
    assertEquals(
        "{\"error\":{\"code\":\"not_found\",\"message\":\"no invoice 7\"}}", body(notFound));
  }

  @Test
  void aMemberCannotTakeTheNameOfTheErrorsOwn() {
    for (String own : List.of("code", "message", "field")) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new HttpError(HttpStatus.CONFLICT, "conflict", "taken", null, Map.of(own, "x")));
    }
  }

  @Test
  void aMemberThatIsNotAJsonValueIsRefusedWhenTheErrorIsMade() {
    for (Object value : Arrays.asList(Instant.EPOCH, Double.NaN, Float.POSITIVE_INFINITY)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new HttpError(HttpStatus.CONFLICT, "conflict", "taken", null, Map.of("at", value)),
          String.valueOf(value));
    }
  }

  private static String body(HttpResponse response) {
    return new String(response.body(), UTF_8);
  }
}
