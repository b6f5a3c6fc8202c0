package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Retention deletes the oldest entries, never one an installed plugin has not consumed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalRetentionTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());

  @AfterAll
  void close() {
    database.close();
  }

  @Test
  void entriesPastTheRetentionAndADayAreDeletedOnceEveryInstalledPluginConsumedThem_newerKept()
      throws Exception {
    fresh(Instant.parse("2026-03-10T12:00:00Z"));
    EventJournal journal = new EventJournal(database.dataSource(), clock);
    JournalRetention retention =
        new JournalRetention(
            database.dataSource(), clock, Duration.ofDays(2), JournalKind.POSTGRES);
    long seq = journal.append(List.of(entry("e-1"), entry("e-2"))).lastSeq();
    // positions a batch of conflicts drew and left unused: the deletes step over them
    sql("SELECT setval('host_journal_seq', nextval('host_journal_seq') + 25000)");
    long laterSeq = journal.append(List.of(entry("e-3"))).lastSeq();
    clock.set(Instant.parse("2026-03-12T12:00:00Z"));
    journal.append(List.of(entry("e-4"))); // two days younger
    // an id the journal on Kafka claimed with the first entries
    sql(
        "INSERT INTO host_event_ids (event_id, body_sha256, journaled_at)"
            + " VALUES ('k-1', '\\x00', '2026-03-10T12:00:00Z')");
    sql(
        "INSERT INTO host_plugins (plugin_id, installed, enabled, updated_at)"
            + " VALUES ('billing', true, false, now())");
    sql(
        "INSERT INTO host_journal_cursors (plugin_id, position, updated_at)"
            + " VALUES ('billing', "
            + seq
            + ", now())");

    clock.set(Instant.parse("2026-03-13T11:59:59Z")); // within 2 days and a day of the first
    assertEquals(new JournalRetention.Outcome(0, false, 0), retention.runOnce());

    clock.set(Instant.parse("2026-03-13T12:00:01Z"));
    assertEquals(new JournalRetention.Outcome(2, true, 1), retention.runOnce());
    assertEquals(List.of("e-3", "e-4"), ids(), "e-3 not consumed: kept");
    assertEquals(0, count("SELECT count(*) FROM host_event_ids"));

    sql("UPDATE host_journal_cursors SET position = " + laterSeq);
    assertEquals(new JournalRetention.Outcome(1, false, 0), retention.runOnce());
    assertEquals(List.of("e-4"), ids());
    // an id forgotten is new again: no redelivery of it can be accepted past the maximum age
    assertEquals(1, journal.append(List.of(entry("e-1"))).seqs().size());
  }

  /**
   * On Kafka the plugins' places are their offsets in the topic: the cursors a host left from
   * running on PostgreSQL before hold nothing back (they had held every entry since the switch).
   */
  @Test
  void onKafka_entriesPastTheRetentionAndADayAreDeleted_whateverCursorsThePostgresJournalLeft()
      throws Exception {
    fresh(Instant.parse("2026-04-10T12:00:00Z"));
    EventJournal journal = new EventJournal(database.dataSource(), clock);
    long seq = journal.append(List.of(entry("k-e-1"))).lastSeq();
    journal.append(List.of(entry("k-e-2"), entry("k-e-3")));
    sql(
        "INSERT INTO host_plugins (plugin_id, installed, enabled, updated_at)"
            + " VALUES ('billing', true, true, now())");
    sql(
        "INSERT INTO host_journal_cursors (plugin_id, position, updated_at)"
            + " VALUES ('billing', "
            + seq
            + ", now())");
    clock.set(Instant.parse("2026-04-12T12:00:00Z"));
    journal.append(List.of(entry("k-e-4"))); // two days younger

    clock.set(Instant.parse("2026-04-13T12:00:01Z"));
    assertEquals(
        new JournalRetention.Outcome(1, true, 0),
        new JournalRetention(database.dataSource(), clock, Duration.ofDays(2), JournalKind.POSTGRES)
            .runOnce());
    assertEquals(List.of("k-e-2", "k-e-3", "k-e-4"), ids(), "on PostgreSQL, the cursor holds");

    assertEquals(
        new JournalRetention.Outcome(2, false, 0),
        new JournalRetention(database.dataSource(), clock, Duration.ofDays(2), JournalKind.KAFKA)
            .runOnce());
    assertEquals(List.of("k-e-4"), ids());
  }

  /** An empty journal, no plugin and no cursor, at {@code now}: each test's start. */
  private void fresh(Instant now) throws Exception {
    HostMigrations.migrate(database.dataSource());
    sql("TRUNCATE host_journal, host_journal_cursors, host_plugins, host_event_ids CASCADE");
    clock.set(now);
  }

  private JournalEntry entry(String id) {
    return new JournalEntry(id, "user.created", clock.instant(), "ann", null, "{}");
  }

  private List<String> ids() throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT event_id FROM host_journal ORDER BY seq")) {
      List<String> ids = new ArrayList<>();
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
      return ids;
    }
  }

  private void sql(String statement) throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        Statement s = connection.createStatement()) {
      s.execute(statement);
    }
  }

  private long count(String query) throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
