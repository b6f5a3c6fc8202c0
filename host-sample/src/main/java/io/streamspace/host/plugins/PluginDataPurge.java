package io.streamspace.host.plugins;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.data.PurgeablePlugin;
import io.streamspace.plugin.api.http.HttpStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes everything kept of a plugin (an uninstall with purge): the plugin's own data through
 * its {@link PurgeablePlugin} capability, and the host's records of it, in one transaction; then
 * its Quartz jobs and triggers, through Quartz in a transaction of its own (after the commit: a
 * failure there leaves only jobs of a plugin no node runs, which the next purge deletes).
 *
 * <p>Not deleted: the event journal (the platform's events, every plugin's) and the idempotency
 * keys (per caller, not per plugin; they expire after 24 hours).
 *
 * <p>A plugin without the capability (or whose code could not be loaded) has the host's records
 * deleted all the same, and the answer says its own data was not purged: refusing would leave the
 * admin no way to remove the host's records, and its data stays as it would after an uninstall.
 */
public final class PluginDataPurge {

  private static final Logger log = LoggerFactory.getLogger(PluginDataPurge.class);

  /** Every host table with rows per plugin ({@code plugin_id}), the plugin's own row last. */
  static final List<String> HOST_TABLES =
      List.of("host_dead_letters", "host_job_runs", "host_journal_cursors", "host_plugins");

  // PostgreSQL's dependent_objects_still_exist: a drop without CASCADE found a dependent object
  private static final String DEPENDENT_OBJECTS_STILL_EXIST = "2BP01";

  private static final String LOCK_STATE =
      "SELECT enabled FROM host_plugins WHERE plugin_id = ? FOR UPDATE";

  // A node gives the lease up when it stops the plugin: a live one means the plugin runs there.
  private static final String LIVE_LEASE =
      """
      SELECT holder FROM host_journal_cursors
      WHERE plugin_id = ? AND holder IS NOT NULL AND lease_until >= clock_timestamp()
      FOR UPDATE""";

  /**
   * What a purge did.
   *
   * @param pluginDataPurged false when the plugin has no {@link PurgeablePlugin} capability (or
   *     its code is not loaded): its own data is still there
   * @param hostRowsDeleted by host table, then {@code quartz_jobs}
   */
  public record Purged(boolean pluginDataPurged, Map<String, Integer> hostRowsDeleted) {}

  private final DataSource dataSource;
  private final HostScheduler scheduler;

  public PluginDataPurge(DataSource dataSource, HostScheduler scheduler) {
    this.dataSource = dataSource;
    this.scheduler = scheduler;
  }

  /**
   * Purges the plugin. Call it once the plugin is stopped on this node and disabled (uninstalled)
   * in {@code host_plugins}, while its code is still loaded, so that its capability can be called.
   *
   * @param extension the plugin's extension, stopped; null when its code is not loaded
   * @throws ApiException 409 {@code plugin_enabled} when its stored state is enabled (a node would
   *     start it), 409 {@code plugin_running} when a node still runs it (holds its journal lease;
   *     nodes stop a disabled plugin within the state watch's 500 ms look, so a retry succeeds),
   *     409 {@code purge_blocked} when the plugin's drop fails because an object that is not its
   *     own depends on one of its objects (PostgreSQL's detail names it); nothing is purged
   */
  public Purged purge(String pluginId, PlatformPlugin extension) {
    PurgeablePlugin purgeable = extension instanceof PurgeablePlugin capability ? capability : null;
    Map<String, Integer> deleted;
    try {
      deleted =
          Transactions.inTransaction(
              dataSource,
              connection -> {
                refuseWhileRunning(connection, pluginId);
                if (purgeable != null) {
                  purgeable.purgeData(connection);
                }
                return deleteHostRows(connection, pluginId);
              });
    } catch (SQLException e) {
      if (DEPENDENT_OBJECTS_STILL_EXIST.equals(e.getSQLState())) {
        throw blocked(pluginId, e);
      }
      throw Sql.failure("purging plugin " + pluginId, e);
    }
    deleted.put("quartz_jobs", scheduler.deleteJobs(pluginId));
    log.info(
        "Plugin {} purged: its own data {}, host rows deleted {}",
        pluginId,
        purgeable != null ? "dropped" : "kept (it cannot purge it)",
        deleted);
    return new Purged(purgeable != null, deleted);
  }

  private static void refuseWhileRunning(Connection connection, String pluginId)
      throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, LOCK_STATE, pluginId);
        ResultSet state = statement.executeQuery()) {
      if (state.next() && state.getBoolean("enabled")) {
        throw new ApiException(
            HttpStatus.CONFLICT,
            "plugin_enabled",
            "Plugin " + pluginId + " is enabled: uninstall it before purging its data");
      }
    }
    try (PreparedStatement statement = Sql.prepare(connection, LIVE_LEASE, pluginId);
        ResultSet lease = statement.executeQuery()) {
      if (lease.next()) {
        throw new ApiException(
            HttpStatus.CONFLICT,
            "plugin_running",
            "Plugin "
                + pluginId
                + " still runs on node "
                + lease.getString("holder")
                + "; try again once it has stopped there");
      }
    }
  }

  private static ApiException blocked(String pluginId, SQLException dependents) {
    ServerErrorMessage server =
        dependents instanceof PSQLException postgres ? postgres.getServerErrorMessage() : null;
    String which =
        server != null && server.getDetail() != null
            ? server.getDetail().replace("\n", "; ")
            : dependents.getMessage();
    return new ApiException(
        HttpStatus.CONFLICT,
        "purge_blocked",
        "Plugin "
            + pluginId
            + "'s data was not purged (nothing was): objects that are not its own depend on it: "
            + which
            + ". Drop them first, or uninstall without purge to keep its data");
  }

  private static Map<String, Integer> deleteHostRows(Connection connection, String pluginId)
      throws SQLException {
    Map<String, Integer> deleted = new LinkedHashMap<>();
    for (String table : HOST_TABLES) {
      try (PreparedStatement statement =
          Sql.prepare(connection, "DELETE FROM " + table + " WHERE plugin_id = ?", pluginId)) {
        deleted.put(table, statement.executeUpdate());
      }
    }
    return deleted;
  }
}
