package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts with the packaged billing plugin on one database, each running check-quotas again
 * and again, at once, and one of them restarted: each quota alert is published once in all, on
 * whichever node ran the job (README "Quotas"). Ivy is on the free plan, whose bandwidth allows 5
 * GB a month: the warning is at 4 GB (80 %).
 */
class QuotaAlertsTwoNodesE2ETest {

  private static final String WARNING = "billing.quota.warning";
  private static final String EXCEEDED = "billing.quota.exceeded";

  /** Rounds of check-quotas run on both nodes at once before each node must have run it. */
  private static final int MAX_ROUNDS = 20;

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final String dbUrl = TestDatabases.freshDatabaseUrl();

  /** The alerts published on nodes that were stopped (each node keeps its own in memory). */
  private final List<JsonNode> publishedOnStoppedNodes = new ArrayList<>();

  @Test
  void eachQuotaAlertIsPublishedOnceAcrossReRunsTwoNodesAndARestart() throws Exception {
    try (BillingHost a = start()) {
      BillingHost b = start();
      try {
        String platform = a.api.token("platform", "platform");
        String ivy = "ivy-" + UUID.randomUUID();
        a.api.postEvents(
            platform,
            List.of(
                Events.userCreated(ivy, at("11:50")),
                Events.usageReported(ivy, "bandwidth_gb", "4.2", at("11:55"))));
        a.api.awaitCaughtUp("billing");

        checkQuotasOnBothNodes(a, b);

        assertOneAlert(alerts(WARNING, a, b), ivy, "4.2", "84.00");
        assertEquals(List.of(), alerts(EXCEEDED, a, b));

        a.api.postEvents(
            platform, List.of(Events.usageReported(ivy, "bandwidth_gb", "1.3", at("11:58"))));
        a.api.awaitCaughtUp("billing");
        checkQuotasOnBothNodes(a, b);

        assertOneAlert(alerts(WARNING, a, b), ivy, "4.2", "84.00");
        assertOneAlert(alerts(EXCEEDED, a, b), ivy, "5.5", "110.00");

        publishedOnStoppedNodes.addAll(published(b, WARNING));
        publishedOnStoppedNodes.addAll(published(b, EXCEEDED));
        b.close();
        b = start();
        checkQuotasOnBothNodes(a, b);

        assertOneAlert(alerts(WARNING, a, b), ivy, "4.2", "84.00");
        assertOneAlert(alerts(EXCEEDED, a, b), ivy, "5.5", "110.00");
      } finally {
        b.close();
      }
    }
  }

  private BillingHost start() throws Exception {
    return BillingHost.start(work, dbUrl, clock, Map.of());
  }

  /**
   * Runs check-quotas now through both nodes at once, round after round, until each node has run
   * it at least once since this call (the clustered scheduler hands a run to whichever node takes
   * its trigger first). Each run answers once it is done.
   */
  private void checkQuotasOnBothNodes(BillingHost a, BillingHost b) throws Exception {
    long before = lastRunId();
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      CompletableFuture<JsonNode> onA = CompletableFuture.supplyAsync(() -> checkQuotas(a));
      checkQuotas(b);
      onA.get();
      if (nodesThatRanCheckQuotasAfter(before).size() == 2) {
        return;
      }
    }
    throw new AssertionError("both nodes did not run check-quotas in " + MAX_ROUNDS + " rounds");
  }

  private static JsonNode checkQuotas(BillingHost node) {
    return node.api.runJob("check-quotas");
  }

  private long lastRunId() throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        ResultSet last =
            connection.createStatement().executeQuery("SELECT max(id) FROM host_job_runs")) {
      last.next();
      return last.getLong(1);
    }
  }

  private Set<String> nodesThatRanCheckQuotasAfter(long runId) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT DISTINCT node FROM host_job_runs"
                    + " WHERE plugin_id = 'billing' AND job_name = 'check-quotas' AND id > ?")) {
      select.setLong(1, runId);
      Set<String> nodes = new HashSet<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          nodes.add(rows.getString(1));
        }
      }
      return nodes;
    }
  }

  /** The payloads of one alert type published on the running nodes and the stopped ones. */
  private List<JsonNode> alerts(String type, BillingHost... running) {
    List<JsonNode> alerts = new ArrayList<>();
    for (JsonNode alert : publishedOnStoppedNodes) {
      if (alert.get("type").asText().equals(type)) {
        alerts.add(alert.get("payload"));
      }
    }
    for (BillingHost node : running) {
      published(node, type).forEach(alert -> alerts.add(alert.get("payload")));
    }
    return alerts;
  }

  /** What the node's plugins published of one type ({@code GET /api/admin/events?type=}). */
  private static List<JsonNode> published(BillingHost node, String type) {
    List<JsonNode> events = new ArrayList<>();
    node.api
        .http
        .get("/api/admin/events?type=" + type, node.api.adminToken)
        .expect(200)
        .get("events")
        .forEach(events::add);
    return events;
  }

  /** One alert of Ivy's bandwidth against the free plan's hard 5 GB, this March. */
  private static void assertOneAlert(
      List<JsonNode> alerts, String user, String used, String percent) {
    assertEquals(1, alerts.size(), alerts.toString());
    JsonNode alert = alerts.get(0);
    Set<String> fields = new HashSet<>();
    alert.fieldNames().forEachRemaining(fields::add);
    assertEquals(
        Set.of("user_id", "meter", "used", "limit", "percent", "kind", "period_start"), fields);
    assertEquals(user, alert.get("user_id").asText());
    assertEquals("bandwidth_gb", alert.get("meter").asText());
    assertDecimal(used, alert.get("used"));
    assertDecimal("5", alert.get("limit"));
    assertDecimal(percent, alert.get("percent"));
    assertEquals("hard", alert.get("kind").asText());
    assertEquals("2026-03-01T00:00:00Z", alert.get("period_start").asText());
  }

  private static void assertDecimal(String expected, JsonNode actual) {
    assertTrue(actual.isNumber(), actual.toString());
    assertEquals(0, new BigDecimal(expected).compareTo(actual.decimalValue()), actual.toString());
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-10T" + time + ":00Z");
  }
}
