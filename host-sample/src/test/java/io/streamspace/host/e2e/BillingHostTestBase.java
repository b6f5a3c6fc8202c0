package io.streamspace.host.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real host per test class, with the packaged billing plugin, on a fresh database whose
 * schemas are migrated already ({@link MigratedDatabases}), and a clock the test moves. Tests use
 * their own user ids, so they do not see each other's usage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BillingHostTestBase {

  /** Noon on 2026-03-10 UTC: the host's "now" unless a test moves it. */
  static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  final MutableClock clock = new MutableClock(NOW);
  String dbUrl;

  /** The host's plugins and data: a @TempDir, deleted once the class is done. */
  Path work;

  BillingHost billing;
  BillingApi api;
  String platformToken;

  /** Secrets the host gets besides the admin token; override to add some. */
  Map<String, String> secrets() {
    return Map.of();
  }

  /**
   * The Kafka journal the host runs on, or null for the PostgreSQL journal (the default); a
   * subclass that overrides it runs the same tests on Kafka.
   */
  KafkaSettings kafkaJournal() {
    return null;
  }

  @BeforeAll
  void startHost(@TempDir Path work) throws Exception {
    this.work = work;
    dbUrl = MigratedDatabases.freshDatabaseUrl();
    billing = BillingHost.start(work, dbUrl, clock, secrets(), kafkaJournal());
    api = billing.api;
    platformToken = api.token("platform", "platform");
  }

  @AfterAll
  void stopHost() {
    if (billing != null) { // null when the host failed to start: let that error be the one shown
      billing.close();
    }
  }

  /**
   * Waits until the journal holds at least {@code events} entries: on Kafka the journal's index
   * ({@code host_journal}) is written by a consumer of its own, which may be behind the plugins'.
   */
  void awaitJournaled(long events) {
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        events + " events in the journal",
        () -> Long.parseLong(text("SELECT count(*) FROM host_journal")) >= events);
  }

  /** {@code "HH:MM"} of {@link #NOW}'s day, UTC. */
  static Instant at(String time) {
    return Instant.parse("2026-03-10T" + time + ":00Z");
  }

  /** A user id no other test uses. */
  static String newUser(String name) {
    return name + "-" + UUID.randomUUID();
  }

  /** Usage of one day (UTC) as the user sees it. */
  JsonNode usageOn(String userToken, String isoDate, String nextIsoDate) {
    return api.usage(userToken, "?from=" + isoDate + "&to=" + nextIsoDate).expect(200);
  }

  /** The session's {@code suspended_reason} in {@code GET /api/admin/sessions}. */
  JsonNode suspendedReason(String sessionId) {
    for (JsonNode s :
        api.http.get("/api/admin/sessions", api.adminToken).expect(200).get("sessions")) {
      if (s.get("session_id").asText().equals(sessionId)) {
        return s.get("suspended_reason");
      }
    }
    throw new AssertionError("the host does not track " + sessionId);
  }

  /** How many events of that type the host journaled for the user. */
  int published(String type, String userId) {
    int count = 0;
    for (JsonNode e :
        api.http.get("/api/admin/events?type=" + type, api.adminToken).expect(200).get("events")) {
      if (userId.equals(e.at("/payload/user_id").asText())) {
        count++;
      }
    }
    return count;
  }

  /** The first column of the query's first row, read directly from the host's database. */
  String text(String query) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Runs a statement directly on the host's database. */
  void sql(String statement) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        Statement s = connection.createStatement()) {
      s.execute(statement);
    }
  }
}
