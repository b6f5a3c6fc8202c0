package io.streamspace.host.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A small JSON HTTP client for a host under test. Numbers are read as {@code BigDecimal}, as
 * money must be.
 */
public final class HostClient {

  /** A status, the parsed body (a text node when the body is not JSON) and the headers. */
  public record Response(int status, JsonNode body, HttpHeaders headers) {

    /** A response header's first value, if present. */
    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    /** The body, after checking the status; fails with the whole answer otherwise. */
    public JsonNode expect(int expectedStatus) {
      if (status != expectedStatus) {
        throw new AssertionError("expected " + expectedStatus + " but got " + this);
      }
      return body;
    }
  }

  /** Keeps numbers exactly as written: "1.40" stays 1.40, so tests see the currency's scale. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  /**
   * The reason header a change of the billing plugin's config needs (the audit trail keeps it),
   * for tests that change the config to set a scene.
   */
  public static final Map<String, String> CONFIG_REASON =
      Map.of("X-Audit-Log-Reason", "set%20up%20by%20a%20test");

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final int port;

  public HostClient(int port) {
    this.port = port;
  }

  public Response call(String method, String path, String token, String body) {
    return call(method, path, token, body, Map.of());
  }

  /** A call with more request headers (an {@code Idempotency-Key}, say). */
  public Response call(
      String method, String path, String token, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofMinutes(5))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), parse(response.body()), response.headers());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response get(String path, String token) {
    return call("GET", path, token, null);
  }

  public Response post(String path, String token, String body) {
    return call("POST", path, token, body);
  }

  public Response put(String path, String token, String body) {
    return call("PUT", path, token, body);
  }

  public Response delete(String path, String token) {
    return call("DELETE", path, token, null);
  }

  /** Any object (maps, lists, records of plain values) as JSON text. */
  public static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body.isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(body);
    } catch (IOException e) {
      return MAPPER.getNodeFactory().textNode(body);
    }
  }
}
