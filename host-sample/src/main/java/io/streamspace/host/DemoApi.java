package io.streamspace.host;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code --demo}'s calls to the host's own HTTP API, each with the token of whoever makes it (the
 * admin, a creator, a user): the demo does what it shows through the routes a person would use,
 * never behind them.
 */
final class DemoApi {

  /** The billing plugin's routes. */
  static final String BILLING = "/api/plugins/billing";

  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
  // amounts as the API wrote them: 0.90, not 0.9
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  /** An answer: its status and its JSON body (an empty object when it had none). */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** "201" when it succeeded, else the status and the body, as a console line ends. */
    String outcome() {
      return ok() ? Integer.toString(status) : status + " " + body;
    }
  }

  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;

  DemoApi(String base) {
    this.base = base;
  }

  Answer get(String token, String path) throws IOException, InterruptedException {
    return send(request(token, path).GET());
  }

  /** A POST without a body, as the plugin catalog's actions take. */
  Answer post(String token, String path) throws IOException, InterruptedException {
    return send(request(token, path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** A POST of JSON, once per {@code idempotencyKey} (a repeat answers the first result). */
  Answer post(String token, String path, String idempotencyKey, String json)
      throws IOException, InterruptedException {
    return post(
        token, path, idempotencyKey, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  Answer post(String token, String path, String idempotencyKey, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return send(
        request(token, path)
            .header("Idempotency-Key", idempotencyKey)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private HttpRequest.Builder request(String token, String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(CALL_TIMEOUT)
        .header("Authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String body = response.body();
    return new Answer(
        response.statusCode(), body.isBlank() ? JSON.createObjectNode() : readOrText(body));
  }

  /** The body as JSON; a body that is not (an HTML error page) as a JSON text. */
  private static JsonNode readOrText(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(body);
    }
  }
}
