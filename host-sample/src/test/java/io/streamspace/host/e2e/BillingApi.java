package io.streamspace.host.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The calls a platform, its users and an admin make against a host running the billing plugin. */
final class BillingApi {
  final HostClient http;
  final String adminToken;

  BillingApi(int port, String adminToken) {
    this.http = new HostClient(port);
    this.adminToken = adminToken;
  }

  /** A new bearer token for a user with one role. */
  String token(String userId, String role) {
    return http.post(
            "/api/admin/tokens",
            adminToken,
            HostClient.json(Map.of("user_id", userId, "roles", List.of(role))))
        .expect(201)
        .get("token")
        .asText();
  }

  /** Posts a batch as the platform; expects it accepted. */
  JsonNode postEvents(String platformToken, List<Map<String, Object>> events) {
    return http.post("/api/platform/events", platformToken, HostClient.json(events)).expect(202);
  }

  /** The body of {@code POST /jobs/{name}}: the reason the billing plugin requires of a run. */
  static final String RUN_REASON = "{\"reason\": \"the test runs it now\"}";

  /** Runs a billing job now through the host's scheduler, as an admin; expects it to succeed. */
  JsonNode runJob(String name) {
    JsonNode run =
        http.post("/api/plugins/billing/jobs/" + name, adminToken, RUN_REASON).expect(200);
    if (!"succeeded".equals(run.get("outcome").asText())) {
      throw new AssertionError(name + " did not succeed: " + run);
    }
    return run;
  }

  /**
   * Waits until health shows the plugin has consumed the whole journal: what a client does after
   * enabling a plugin, before it reads what the plugin caught up with, and on the Kafka journal
   * after a 202, which does not wait for the plugins.
   */
  void awaitCaughtUp(String pluginId) {
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        pluginId + " caught up",
        () -> lagEvents(pluginId),
        events -> events == 0);
  }

  /** How many events health shows the plugin behind the journal, -1 when it shows no lag. */
  long lagEvents(String pluginId) {
    for (JsonNode health : http.get("/api/health", null).expect(200).get("plugins")) {
      if (health.get("id").asText().equals(pluginId)) {
        return health.at("/lag/events").asLong(-1);
      }
    }
    return -1;
  }

  /**
   * {@code GET /usage} (expected 200) once the billing plugin has consumed the whole journal and
   * calculate-usage has rated it.
   */
  JsonNode usageOnceRated(String token, String query) {
    awaitCaughtUp("billing");
    runJob("calculate-usage");
    return usage(token, query).expect(200);
  }

  /** {@code GET /usage} with a query string ("" or "?from=...&to=..."). */
  HostClient.Response usage(String token, String query) {
    return http.get("/api/plugins/billing/usage" + query, token);
  }

  /** Asks, as the platform, whether a session of half a core and 1 GB may start for the user. */
  JsonNode admission(String platformToken, String userId) {
    return admission(platformToken, userId, "0.5", "1");
  }

  /** Asks whether a session of that many cores and GB of memory may start for the user. */
  JsonNode admission(String platformToken, String userId, String cpuCores, String memoryGb) {
    return admission(platformToken, sessionRequest(userId, cpuCores, memoryGb));
  }

  /**
   * Asks whether a session of that many cores and GB of memory may start for the user, reporting
   * {@code storageGb} as the storage level it brings the user's organization to.
   */
  JsonNode admission(
      String platformToken, String userId, String cpuCores, String memoryGb, String storageGb) {
    Map<String, Object> request = sessionRequest(userId, cpuCores, memoryGb);
    request.put("storage_gb", new BigDecimal(storageGb));
    return admission(platformToken, request);
  }

  /** Asks whether a session of half a core, 1 GB and {@code gpus} GPUs may start for the user. */
  JsonNode admissionHolding(String platformToken, String userId, String gpus) {
    Map<String, Object> request = sessionRequest(userId, "0.5", "1");
    request.put("resources", Map.of("gpu", new BigDecimal(gpus)));
    return admission(platformToken, request);
  }

  /** Asks whether the session named {@code sessionId}, of that size, may start for the user. */
  JsonNode admissionOf(
      String platformToken, String userId, String sessionId, String cpuCores, String memoryGb) {
    Map<String, Object> request = sessionRequest(userId, cpuCores, memoryGb);
    request.put("session_id", sessionId);
    return admission(platformToken, request);
  }

  /**
   * Asks whether a session of half a core and 1 GB may start for the user under the team
   * organization {@code orgId}.
   */
  JsonNode admissionUnder(String platformToken, String orgId, String userId) {
    Map<String, Object> request = sessionRequest(userId, "0.5", "1");
    request.put("org_id", orgId);
    return admission(platformToken, request);
  }

  /** Asks whether {@code userId} may be added as a member of the organization. */
  JsonNode memberAdmission(String platformToken, String orgId, String userId) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("org_id", orgId);
    request.put("action", "add_member");
    request.put("user_id", userId);
    return admission(platformToken, request);
  }

  private JsonNode admission(String platformToken, Map<String, Object> request) {
    return http.post("/api/platform/admission", platformToken, HostClient.json(request))
        .expect(200);
  }

  private static Map<String, Object> sessionRequest(
      String userId, String cpuCores, String memoryGb) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("user_id", userId);
    request.put("cpu_cores", new BigDecimal(cpuCores));
    request.put("memory_gb", new BigDecimal(memoryGb));
    request.put("storage_gb", 0);
    return request;
  }
}
