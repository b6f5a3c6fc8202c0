package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal a database is used with: recorded by the first node, a node on the other refused
 * (naming both and the way to switch), a switch on purpose moving the plugins to the new
 * journal's end, and a database in use before it was recorded taking the journal its data shows.
 */
class JournalKindRecordTest {

  private static final String ADMIN_TOKEN = "journal-kind-admin-token-0123456789abcdef";
  private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));

  @Test
  void theFirstNodeRecordsItsJournal_andANodeLaterOnTheSameOneStarts() throws Exception {
    try (Database database = migrated()) {
      JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, false, CLOCK);
      JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, false, CLOCK);

      assertEquals(List.of("kafka"), column(database, "SELECT kind FROM host_journal_kind"));
    }
  }

  @Test
  void aNodeStartedWithTheOtherJournalIsRefused_namingBothAndHowToSwitch(@TempDir Path data)
      throws Exception {
    String url = TestDatabases.freshDatabaseUrl();
    try (Database database = Database.external(url, Map.of())) {
      HostMigrations.migrate(database.dataSource());
      JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, false, CLOCK);
    }

    Host.StartRefused refused =
        assertThrows(
            Host.StartRefused.class,
            () ->
                Host.start(
                    HostOptions.builder()
                        .port(0)
                        .quickStopForTests()
                        .dbUrl(url)
                        .dataDir(data)
                        .pluginsDir(data.resolve("plugins"))
                        .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN))
                        .build()));

    assertEquals(
        "This database is used with the kafka journal, and this node was started with --journal"
            + " postgres: every node on one database must run the same journal. Start it with"
            + " --journal kafka, or, to move the database to the postgres journal on purpose,"
            + " stop every node once each plugin's journal lag is 0 and start one node with"
            + " --journal postgres --switch-journal (docs/operator-guide.md, \"Switching the"
            + " journal\").",
        refused.getMessage());
    try (Database database = Database.external(url, Map.of())) {
      assertEquals(List.of("kafka"), column(database, "SELECT kind FROM host_journal_kind"));
    }
  }

  @Test
  void aKafkaNodeOnAPostgresDatabaseIsRefused_theRecordLeftAsItIs() throws Exception {
    try (Database database = migrated()) {
      JournalKindRecord.settle(database.dataSource(), JournalKind.POSTGRES, false, CLOCK);

      JournalKindRecord.Mismatch refused =
          assertThrows(
              JournalKindRecord.Mismatch.class,
              () ->
                  JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, false, CLOCK));
      assertTrue(
          refused.getMessage().startsWith("This database is used with the postgres journal"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("--journal kafka --switch-journal"));
      assertEquals(List.of("postgres"), column(database, "SELECT kind FROM host_journal_kind"));
    }
  }

  @Test
  void aSwitchToPostgres_movesEachPluginToTheEndOfTheJournal_theIndexesEntriesCountConsumed()
      throws Exception {
    try (Database database = migrated()) {
      JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, false, CLOCK);
      execute(
          database,
          "INSERT INTO host_journal (seq, journaled_at, event_id, event_type, occurred_at,"
              + " user_id, session_id, body) SELECT n, now(), 'e-' || n, 'session.heartbeat',"
              + " now(), 'u', 's', '{}' FROM generate_series(1, 7) AS n");
      execute(
          database,
          "INSERT INTO host_journal_cursors (plugin_id, position, updated_at)"
              + " VALUES ('billing', 2, now())");

      JournalKindRecord.settle(database.dataSource(), JournalKind.POSTGRES, true, CLOCK);

      assertEquals(List.of("postgres"), column(database, "SELECT kind FROM host_journal_kind"));
      assertEquals(List.of("7"), column(database, "SELECT position FROM host_journal_cursors"));
    }
  }

  @Test
  void aSwitchToKafka_forgetsThePluginsEarlierKafkaPlaces_theIdsJournaledOnPostgresStayKnown()
      throws Exception {
    try (Database database = migrated()) {
      JournalKindRecord.settle(database.dataSource(), JournalKind.POSTGRES, false, CLOCK);
      execute(
          database,
          "INSERT INTO host_kafka_offsets (consumer, topic, partition, next_offset, updated_at)"
              + " VALUES ('billing', 'events', 0, 40, now()), ('#index', 'events', 0, 50, now())");
      new EventJournal(database.dataSource(), CLOCK)
          .append(
              List.of(new JournalEntry("pg-1", "user.created", CLOCK.instant(), "u", null, "{}")));

      JournalKindRecord.settle(database.dataSource(), JournalKind.KAFKA, true, CLOCK);

      assertEquals(List.of("kafka"), column(database, "SELECT kind FROM host_journal_kind"));
      assertEquals(List.of("#index"), column(database, "SELECT consumer FROM host_kafka_offsets"));
      // Kafka's intake tells a redelivery by host_journal's ids, as the PostgreSQL journal does:
      // one of pg-1 is a duplicate, not a new event; nothing is copied for it
      assertEquals(
          List.of("pg-1 {}"), column(database, "SELECT event_id || ' ' || body FROM host_journal"));
      assertEquals(List.of("0"), column(database, "SELECT count(*) FROM host_event_ids"));
    }
  }

  @Test
  void aDatabaseInUseBeforeTheJournalWasRecorded_takesTheJournalItsDataShows_entriesKept()
      throws Exception {
    String url = TestDatabases.freshDatabaseUrl();
    try (Database database = Database.external(url, Map.of())) {
      migrateUpTo11(database);
      execute(
          database,
          "INSERT INTO host_kafka_offsets (consumer, topic, partition, next_offset, updated_at)"
              + " VALUES ('billing', 'events', 0, 40, now())");
      // in the journal partitioned by day (V6), as the index wrote it
      execute(
          database,
          "INSERT INTO host_journal (seq, journaled_at, event_id, event_type, occurred_at,"
              + " user_id, session_id, body) VALUES (41, now(), 'old-1', 'session.heartbeat',"
              + " now(), 'u', 's', '{}')");

      HostMigrations.migrate(database.dataSource());

      // in the one table of V13, under its unique id
      assertEquals(
          List.of("41 old-1"), column(database, "SELECT seq || ' ' || event_id FROM host_journal"));
      assertEquals(
          List.of("host_journal_event_id_key"),
          column(
              database,
              "SELECT conname FROM pg_constraint WHERE conrelid = 'host_journal'::regclass"
                  + " AND contype = 'u'"));

      assertEquals(List.of("kafka"), column(database, "SELECT kind FROM host_journal_kind"));
      assertThrows(
          JournalKindRecord.Mismatch.class,
          () ->
              JournalKindRecord.settle(database.dataSource(), JournalKind.POSTGRES, false, CLOCK));
    }
    try (Database unused = Database.external(TestDatabases.freshDatabaseUrl(), Map.of())) {
      migrateUpTo11(unused);
      HostMigrations.migrate(unused.dataSource());

      assertEquals(List.of(), column(unused, "SELECT kind FROM host_journal_kind"), "none yet");
    }
  }

  private static Database migrated() {
    Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
    HostMigrations.migrate(database.dataSource());
    return database;
  }

  /** The host's migrations as a host of before the journal's record left them. */
  private static void migrateUpTo11(Database database) {
    Flyway.configure()
        .dataSource(database.dataSource())
        .locations("classpath:db/host")
        .table("host_schema_history")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("11")
        .load()
        .migrate();
  }

  private static void execute(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static List<String> column(Database database, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
