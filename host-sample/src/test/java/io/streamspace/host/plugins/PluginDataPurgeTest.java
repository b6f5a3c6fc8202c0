package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.http.ApiException;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.data.PurgeablePlugin;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host's part of a purge on its own database, with a plugin that cannot purge its own data;
 * PluginDataPurgeE2ETest purges the packaged billing plugin in a running host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginDataPurgeTest {

  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final HostScheduler scheduler = migratedScheduler();
  private final PluginDataPurge purge = new PluginDataPurge(database.dataSource(), scheduler);

  private HostScheduler migratedScheduler() {
    HostMigrations.migrate(database.dataSource());
    return new HostScheduler(
        database.dataSource(), new MutableClock(Instant.parse("2026-03-10T12:00:00Z")), "node-a");
  }

  @AfterAll
  void close() {
    scheduler.close();
    database.close();
  }

  @Test
  void everyHostTableWithRowsPerPluginIsOneThePurgeEmpties() throws SQLException {
    // Tables with rows per plugin that a purge keeps on purpose, each with its reason: none yet.
    // the audit trail of operations, the purge among them, outlives the plugin's data
    Set<String> keptOnPurpose = Set.of("host_plugin_operations");
    Set<String> perPlugin =
        strings(
            "SELECT table_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND column_name = 'plugin_id'");
    perPlugin.removeAll(keptOnPurpose);
    assertEquals(new TreeSet<>(PluginDataPurge.HOST_TABLES), perPlugin);
  }

  @Test
  void aPluginWithoutTheCapabilityHasTheHostsRowsDeletedAndIsToldItsOwnDataStays()
      throws SQLException {
    insertRowsOf("quiet", false, null);
    insertRowsOf("neighbour", false, null);

    PluginDataPurge.Purged purged = purge.purge("quiet", new PlatformPlugin() {});

    assertFalse(purged.pluginDataPurged());
    for (String table : PluginDataPurge.HOST_TABLES) {
      assertEquals(1, purged.hostRowsDeleted().get(table), table);
      assertEquals(
          Set.of("neighbour"),
          strings("SELECT plugin_id FROM " + table + " WHERE plugin_id IN ('quiet', 'neighbour')"),
          table);
    }
  }

  @Test
  void anEnabledPluginIsNotPurgedAndKeepsEverything() throws SQLException {
    insertRowsOf("enabled", true, null);

    ApiException refused =
        assertThrows(ApiException.class, () -> purge.purge("enabled", new PlatformPlugin() {}));

    assertEquals("plugin_enabled", refused.error().code());
    assertEquals(
        Set.of("enabled"),
        strings("SELECT plugin_id FROM host_plugins" + " WHERE plugin_id = 'enabled'"));
  }

  @Test
  void aPluginStillRunningOnAnotherNodeIsNotPurgedAndItsPurgeIsUndone() throws SQLException {
    insertRowsOf("running", false, "node-b");
    boolean[] purgedOwnData = {false};
    PlatformPlugin purgeable = new PurgeableTestPlugin(() -> purgedOwnData[0] = true);

    ApiException refused =
        assertThrows(ApiException.class, () -> purge.purge("running", purgeable));

    assertEquals("plugin_running", refused.error().code());
    assertTrue(refused.getMessage().contains("node-b"), refused.getMessage());
    assertFalse(purgedOwnData[0], "the plugin is not asked while it runs");
    assertEquals(
        Set.of("running"),
        strings("SELECT plugin_id FROM host_journal_cursors" + " WHERE plugin_id = 'running'"));
  }

  @Test
  void aPluginWhosePurgeFailsKeepsTheHostsRowsToo() throws SQLException {
    insertRowsOf("failing", false, null);
    PlatformPlugin failing =
        new PurgeableTestPlugin(
            () -> {
              throw new IllegalStateException("cannot drop");
            });

    assertThrows(IllegalStateException.class, () -> purge.purge("failing", failing));

    for (String table : PluginDataPurge.HOST_TABLES) {
      assertEquals(
          Set.of("failing"),
          strings("SELECT plugin_id FROM " + table + " WHERE plugin_id = 'failing'"),
          table);
    }
  }

  @Test
  void aPurgeBlockedByAnotherOwnersObjectAnswersWhichAndKeepsEverything() throws SQLException {
    insertRowsOf("blocked", false, null);
    execute("CREATE TABLE blocked_things (id int PRIMARY KEY)");
    execute("CREATE VIEW neighbour_things AS SELECT id FROM blocked_things");
    PlatformPlugin dropping = new DroppingTestPlugin("DROP TABLE blocked_things");

    ApiException refused = assertThrows(ApiException.class, () -> purge.purge("blocked", dropping));

    assertEquals(409, refused.error().status());
    assertEquals("purge_blocked", refused.error().code());
    assertTrue(refused.getMessage().contains("view neighbour_things"), refused.getMessage());
    assertEquals(
        Set.of("blocked_things", "neighbour_things"),
        strings(
            "SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = current_schema() AND table_name LIKE '%_things'"));
    for (String table : PluginDataPurge.HOST_TABLES) {
      assertEquals(
          Set.of("blocked"),
          strings("SELECT plugin_id FROM " + table + " WHERE plugin_id = 'blocked'"),
          table);
    }
  }

  /** A plugin whose purge runs {@code drop}, without CASCADE. */
  private record DroppingTestPlugin(String drop) implements PlatformPlugin, PurgeablePlugin {
    @Override
    public void purgeData(Connection connection) throws SQLException {
      try (Statement statement = connection.createStatement()) {
        statement.execute(drop);
      }
    }
  }

  /** A plugin whose purge runs {@code purge}. */
  private record PurgeableTestPlugin(Runnable purge) implements PlatformPlugin, PurgeablePlugin {
    @Override
    public void purgeData(Connection connection) {
      purge.run();
    }
  }

  /** A row of the plugin in every host table; a live journal lease when {@code holder} is set. */
  private void insertRowsOf(String pluginId, boolean enabled, String holder) throws SQLException {
    execute(
        "INSERT INTO host_plugins (plugin_id, installed, enabled, config, updated_at)"
            + " VALUES ('%s', %s, %s, '{\"a\":1}', now())".formatted(pluginId, enabled, enabled));
    execute(
        "INSERT INTO host_journal_cursors (plugin_id, position, holder, lease_until, updated_at)"
            + " VALUES ('%s', 0, %s, now() + interval '1 hour', now())"
                .formatted(pluginId, holder == null ? "NULL" : "'" + holder + "'"));
    execute(
        "INSERT INTO host_job_runs (plugin_id, job_name, started_at, ended_at, outcome,"
            + " rows_touched, node) VALUES ('%s', 'job', now(), now(), 'succeeded', 0, 'node-a')"
                .formatted(pluginId));
    execute(
        "INSERT INTO host_dead_letters (plugin_id, event_id, event_type, event, reason,"
            + " first_failed_at, last_failed_at)"
            + " VALUES ('%s', 'evt-1', 'user.created', '{}', 'refused', now(), now())"
                .formatted(pluginId));
  }

  private Set<String> strings(String sql) throws SQLException {
    Set<String> values = new TreeSet<>();
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
