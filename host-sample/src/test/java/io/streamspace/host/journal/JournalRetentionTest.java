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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Retention drops whole days, never one an installed plugin has not consumed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalRetentionTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());

  @AfterAll
  void close() {
    database.close();
  }

  @Test
  void aDayPastTheRetentionIsDroppedOnceEveryInstalledPluginConsumedIt_itsIdsADayLater()
      throws Exception {
    HostMigrations.migrate(database.dataSource());
    EventJournal journal = new EventJournal(database.dataSource(), clock);
    JournalRetention retention =
        new JournalRetention(database.dataSource(), clock, Duration.ofDays(2));
    assertEquals(new JournalRetention.Outcome(4, 0, 0, 0), retention.runOnce()); // 10th to 13th
    long seq =
        journal
            .append(
                List.of(
                    new JournalEntry("e-1", "user.created", clock.instant(), "ann", null, "{}")))
            .lastSeq();
    sql(
        "INSERT INTO host_plugins (plugin_id, installed, enabled, updated_at)"
            + " VALUES ('billing', true, false, now())");
    sql(
        "INSERT INTO host_journal_cursors (plugin_id, position, updated_at)"
            + " VALUES ('billing', 0, now())");

    clock.set(Instant.parse("2026-03-13T12:00:00Z")); // the 10th is past a 2-day retention
    assertEquals(new JournalRetention.Outcome(3, 0, 1, 0), retention.runOnce()); // 14th to 16th
    assertEquals(1, count("SELECT count(*) FROM host_journal"), "unconsumed: kept");

    sql("UPDATE host_journal_cursors SET position = " + seq);
    assertEquals(new JournalRetention.Outcome(0, 1, 0, 0), retention.runOnce());
    assertEquals(0, count("SELECT count(*) FROM host_journal"));
    assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = 'host_journal_20260310'"));
    assertEquals(1, count("SELECT count(*) FROM host_event_ids"), "a redelivery is still known");

    clock.set(Instant.parse("2026-03-14T12:00:01Z")); // the 17th ahead; the empty 11th goes
    assertEquals(new JournalRetention.Outcome(1, 1, 0, 1), retention.runOnce());
    assertEquals(0, count("SELECT count(*) FROM host_event_ids"));
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
