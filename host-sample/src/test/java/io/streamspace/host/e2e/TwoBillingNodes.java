package io.streamspace.host.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Billing hosts on one database for the tests of what must happen once across nodes: each node
 * runs a job on demand, and what every node published (each keeps its own in memory) is read
 * together, including what nodes published before they were stopped.
 */
final class TwoBillingNodes {

  /** Rounds of a job run on both nodes at once before each node must have run it. */
  private static final int MAX_ROUNDS = 20;

  private final Path work;
  private final String dbUrl;
  private final MutableClock clock;
  private final List<JsonNode> publishedOnStoppedNodes = new ArrayList<>();

  TwoBillingNodes(Path work, String dbUrl, MutableClock clock) {
    this.work = work;
    this.dbUrl = dbUrl;
    this.clock = clock;
  }

  BillingHost start() throws Exception {
    return BillingHost.start(work, dbUrl, clock, Map.of());
  }

  /** Stops the node, keeping what it published. */
  void stop(BillingHost node) {
    publishedOnStoppedNodes.addAll(published(node, null));
    node.close();
  }

  /**
   * Runs the plugin's job now through both nodes at once, round after round, until each node has
   * run it at least once since this call (the clustered scheduler hands a run to whichever node
   * takes its trigger first). Each run answers once it is done.
   */
  void runOnBothNodes(String job, BillingHost a, BillingHost b) throws Exception {
    long before = lastRunId();
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      CompletableFuture<JsonNode> onA = CompletableFuture.supplyAsync(() -> a.api.runJob(job));
      b.api.runJob(job);
      onA.get();
      if (nodesThatRan(job, before).size() == 2) {
        return;
      }
    }
    throw new AssertionError("both nodes did not run " + job + " in " + MAX_ROUNDS + " rounds");
  }

  /** The payloads of one event type published on the running nodes and the stopped ones. */
  List<JsonNode> published(String type, BillingHost... running) {
    List<JsonNode> payloads = new ArrayList<>();
    for (JsonNode event : publishedOnStoppedNodes) {
      if (event.get("type").asText().equals(type)) {
        payloads.add(event.get("payload"));
      }
    }
    for (BillingHost node : running) {
      published(node, type).forEach(event -> payloads.add(event.get("payload")));
    }
    return payloads;
  }

  /** What the node's plugins published, of one type or all ({@code GET /api/admin/events}). */
  private static List<JsonNode> published(BillingHost node, String typeOrNull) {
    List<JsonNode> events = new ArrayList<>();
    node.api
        .http
        .get(
            "/api/admin/events" + (typeOrNull == null ? "" : "?type=" + typeOrNull),
            node.api.adminToken)
        .expect(200)
        .get("events")
        .forEach(events::add);
    return events;
  }

  private long lastRunId() throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        ResultSet last =
            connection.createStatement().executeQuery("SELECT max(id) FROM host_job_runs")) {
      last.next();
      return last.getLong(1);
    }
  }

  private Set<String> nodesThatRan(String job, long runId) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT DISTINCT node FROM host_job_runs"
                    + " WHERE plugin_id = 'billing' AND job_name = ? AND id > ?")) {
      select.setString(1, job);
      select.setLong(2, runId);
      Set<String> nodes = new HashSet<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          nodes.add(rows.getString(1));
        }
      }
      return nodes;
    }
  }
}
