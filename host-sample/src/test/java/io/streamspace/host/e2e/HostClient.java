package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** A caller of the host's HTTP API with one bearer token, as a platform, user or admin would. */
final class HostClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final String baseUrl;
  private final String token;

  HostClient(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  String createToken(String userId, String role) throws Exception {
    return send("POST", "/api/admin/tokens", Map.of("user_id", userId, "roles", List.of(role)), 201)
        .get("token").asText();
  }

  JsonNode postEvents(List<Map<String, Object>> events) throws Exception {
    return send("POST", "/api/platform/events", events, 202);
  }

  JsonNode runJob(String name) throws Exception {
    return send("POST", "/api/plugins/billing/jobs/" + name, null, 200);
  }

  JsonNode usage(String userId, LocalDate from, LocalDate to) throws Exception {
    String query = "?from=" + from + "&to=" + to + (userId == null ? "" : "&user_id=" + userId);
    return get("/api/plugins/billing/usage" + query, 200);
  }

  JsonNode get(String path, int expectedStatus) throws Exception {
    return send("GET", path, null, expectedStatus);
  }

  /** Sends a request and checks its status; returns the JSON body. */
  JsonNode send(String method, String path, Object body, int expectedStatus) throws Exception {
    HttpResponse<String> response = exchange(method, path, body);
    assertEquals(expectedStatus, response.statusCode(),
        () -> method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    return response.body().isEmpty() ? null : Json.MAPPER.readTree(response.body());
  }

  HttpResponse<String> exchange(String method, String path, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofMinutes(5))
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
        .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
