package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The host's errors have the one shape plugins' have: {"error":{"code","message","field"?}}. */
class ErrorAnswersTest extends HostTestBase {

  @Test
  void anErrorWithoutAFieldAtFaultLeavesTheMemberOut() {
    Response unknown = http.get("/api/no-such-endpoint", null);
    Response failed = http.get("/api/plugins/rec/boom", null);

    assertEquals(404, unknown.status());
    assertEquals(Optional.of("application/json"), unknown.header("Content-Type"));
    assertEquals(
        "{\"error\":{\"code\":\"not_found\","
            + "\"message\":\"Endpoint GET /api/no-such-endpoint not found\"}}",
        unknown.body().toString());
    assertEquals(500, failed.status());
    assertEquals(
        "{\"error\":{\"code\":\"internal_error\",\"message\":\"the plugin failed to answer\"}}",
        failed.body().toString());
  }

  @Test
  void aRefusedBatchNamesItsFirstFieldAndListsEveryProblemAfterIt() {
    String platform = token("platform-errors", "platform");
    String withoutTime =
        "{\"id\":\"e-1\",\"type\":\"session.created\",\"session\":{\"session_id\":\"s1\","
            + "\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}}";

    JsonNode error =
        http.post("/api/platform/events", platform, "[" + withoutTime + "]")
            .expect(400)
            .get("error");

    assertEquals(List.of("code", "message", "field", "details"), names(error));
    assertEquals("occurred_at", error.get("field").asText());
    JsonNode detail = error.get("details").get(0);
    assertEquals(List.of("index", "field", "message"), names(detail));
    assertEquals(0, detail.get("index").asInt());
    assertEquals("occurred_at", detail.get("field").asText());
  }

  @Test
  void anEmptyPathSegmentMatchesNoRoute_404_whereTheSegmentWithoutItWouldMatch() {
    String alice = token("alice-segments", "user");

    assertEquals(200, http.get("/api/plugins/rec/echo/x", alice).status());
    assertEquals(200, http.get("/api/plugins/rec/echo/x/", alice).status(), "a trailing slash");
    for (String path : List.of("/api/plugins/rec/echo//x", "/api/plugins/rec//echo/x")) {
      Response refused = http.get(path, alice);

      assertEquals(404, refused.status(), path);
      assertEquals("not_found", refused.body().at("/error/code").asText(), path);
    }
  }

  /**
   * What Jetty refuses before any route sees it, each with the status Jetty chose and the body
   * every other error has, as JSON, with the headers every answer carries; the request's text is
   * not echoed.
   */
  @Test
  void jettysOwnRefusalsAnswerTheJsonErrorBody_nulInThePath_aLongQuery_largeHeaders()
      throws IOException {
    String echo = "/api/plugins/rec/echo/x";
    assertJsonError(
        rawGet("/api/plugins/rec/echo/%00", ""),
        400,
        "bad_request",
        "the request is not valid HTTP: a control character in its path or headers, or a path"
            + " that decodes to one");
    assertJsonError(rawGet("/api/plugins/rec/echo/a\0b", ""), 400, "bad_request", null);
    assertJsonError(
        rawGet(echo + "?q=" + "a".repeat(100 * 1024), ""),
        414,
        "uri_too_long",
        "the request's path and query are longer than the 8192 bytes taken");
    assertJsonError(
        rawGet(echo, "X-Padding: " + "b".repeat(1024 * 1024) + "\r\n"),
        431,
        "headers_too_large",
        "the request's headers are larger than the 8192 bytes taken");
  }

  /** A raw answer's status line, headers and body, as a socket reads it. */
  private record RawAnswer(int status, Map<String, String> headers, String body) {}

  /**
   * A GET written byte for byte, as no HTTP client would send it (a NUL in the request line, a
   * megabyte header), read until the host closes the connection.
   */
  private RawAnswer rawGet(String target, String moreHeaders) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + moreHeaders;
      OutputStream out = socket.getOutputStream();
      try {
        out.write((request + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (SocketException e) {
        // the host answered and closed before reading the whole megabyte: its answer is read below
      }
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int endOfHeaders = answer.indexOf("\r\n\r\n");
      String[] lines = answer.substring(0, endOfHeaders).split("\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        String[] nameAndValue = lines[i].split(":\\s*", 2);
        headers.put(nameAndValue[0], nameAndValue[1]);
      }
      return new RawAnswer(
          Integer.parseInt(lines[0].split(" ")[1]), headers, answer.substring(endOfHeaders + 4));
    }
  }

  private static void assertJsonError(RawAnswer answer, int status, String code, String message)
      throws IOException {
    assertEquals(status, answer.status(), answer.toString());
    assertEquals("application/json", answer.headers().get("Content-Type"), answer.toString());
    assertEquals("no-store", answer.headers().get("Cache-Control"));
    assertEquals("nosniff", answer.headers().get("X-Content-Type-Options"));
    JsonNode error = HostClient.MAPPER.readTree(answer.body()).get("error");
    assertEquals(List.of("code", "message"), names(error));
    assertEquals(code, error.get("code").asText());
    if (message != null) {
      assertEquals(message, error.get("message").asText());
    }
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
