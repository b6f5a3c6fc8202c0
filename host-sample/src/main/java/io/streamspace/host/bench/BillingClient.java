package io.streamspace.host.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The calls the billing workloads make to the running host, over its real HTTP API: events as
 * the platform, jobs and config as an admin, reads as a user.
 */
final class BillingClient {

  private static final String PLUGIN = "/api/plugins/billing";
  private static final Duration CATCH_UP = Duration.ofMinutes(30);

  private final BenchContext context;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = Json.newMapper();

  BillingClient(BenchContext context) {
    this.context = context;
  }

  /** Posts events as the platform in batches of 1,000; fails unless each batch is accepted. */
  void postEvents(List<? extends JsonNode> events) throws IOException, InterruptedException {
    for (int from = 0; from < events.size(); from += 1_000) {
      List<? extends JsonNode> batch = events.subList(from, Math.min(events.size(), from + 1_000));
      expect(202, send("POST", "/api/platform/events", context.platformToken(), batch));
    }
  }

  /** Waits until the billing plugin has consumed the whole journal (health shows no lag). */
  void awaitCaughtUp() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode health = body(expect(200, send("GET", "/api/health", null, null)));
      for (JsonNode plugin : health.get("plugins")) {
        if (plugin.get("id").asText().equals("billing")
            && plugin.at("/lag/events").asLong(-1) == 0) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the billing plugin did not catch up within " + CATCH_UP);
  }

  /** Runs a billing job through its route as an admin; fails unless the run succeeded. */
  JsonNode runJob(String name) throws IOException, InterruptedException {
    JsonNode run =
        body(expect(200, send("POST", PLUGIN + "/jobs/" + name, context.adminToken(), null)));
    if (!"succeeded".equals(run.path("outcome").asText())) {
      throw new IllegalStateException(name + " did not succeed: " + run);
    }
    return run;
  }

  /** The billing config in effect. */
  JsonNode config() throws IOException, InterruptedException {
    return body(
        expect(200, send("GET", "/api/admin/plugins/billing/config", context.adminToken(), null)));
  }

  /** Changes the keys the patch names (a JSON merge patch). */
  void patchConfig(Map<String, Object> patch) throws IOException, InterruptedException {
    expect(200, send("PATCH", "/api/admin/plugins/billing/config", context.adminToken(), patch));
  }

  /** A new bearer token for a user with the user role. */
  String userToken(String userId) throws IOException, InterruptedException {
    Map<String, Object> body = Map.of("user_id", userId, "roles", List.of("user"));
    return body(expect(201, send("POST", "/api/admin/tokens", context.adminToken(), body)))
        .get("token")
        .asText();
  }

  /** An admin's invoice for the account and period, finalized now (its usage claimed). */
  void invoice(String userId, Instant start, Instant end) throws IOException, InterruptedException {
    Map<String, Object> body =
        Map.of("user_id", userId, "period_start", start.toString(), "period_end", end.toString());
    expect(201, send("POST", PLUGIN + "/admin/invoices", context.adminToken(), body));
  }

  /** GET of a billing route as {@code token}; fails unless it answers 200. */
  JsonNode get(String path, String token) throws IOException, InterruptedException {
    return body(expect(200, send("GET", PLUGIN + path, token, null)));
  }

  private HttpResponse<String> send(String method, String path, String token, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(context.baseUrl() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          "%s %s answered %d, not %d: %s"
              .formatted(
                  response.request().method(),
                  response.request().uri().getPath(),
                  response.statusCode(),
                  status,
                  response.body().substring(0, Math.min(500, response.body().length()))));
    }
    return response;
  }

  private JsonNode body(HttpResponse<String> response) throws IOException {
    return mapper.readTree(response.body());
  }
}
