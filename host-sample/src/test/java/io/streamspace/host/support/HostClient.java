package io.streamspace.host.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A small JSON HTTP client for a host under test. */
public final class HostClient {

  /** A status and the parsed body (a text node when the body is not JSON). */
  public record Response(int status, JsonNode body) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();
  private final int port;

  public HostClient(int port) {
    this.port = port;
  }

  public Response call(String method, String path, String token, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), parse(response.body()));
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

  private static JsonNode parse(String body) {
    try {
      return body.isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(body);
    } catch (IOException e) {
      return MAPPER.getNodeFactory().textNode(body);
    }
  }
}
