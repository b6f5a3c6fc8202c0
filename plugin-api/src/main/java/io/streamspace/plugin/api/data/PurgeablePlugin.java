package io.streamspace.plugin.api.data;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * An optional capability of a {@link io.streamspace.plugin.api.PlatformPlugin}: it can delete
 * everything it stored in the host's database, so that an admin who uninstalls it with a purge
 * leaves nothing of it behind, and a later install starts from an empty schema.
 *
 * <p>What the host guarantees when it calls {@link #purgeData}:
 *
 * <ul>
 *   <li>An admin asked for it: uninstalling the plugin with a purge, confirmed by the plugin's id.
 *   <li>The plugin is stopped: its {@code onUnload} has returned on this node, and the host's own
 *       record says it is uninstalled, so no node starts it again. The host refuses to purge while
 *       another node still runs it (it still holds the plugin's journal lease, which a node gives
 *       up when it stops the plugin), so no event, job or request of the plugin is running. No
 *       {@link io.streamspace.plugin.api.PluginContext} is given: there is none once stopped.
 *   <li>It is called once per purge, on a connection to the host's database (the one behind
 *       {@code PluginContext.dataSource()}) inside the host's transaction, the same transaction
 *       that then deletes the host's own records of the plugin (its config, secrets, journal
 *       cursor, dead letters and job runs). PostgreSQL's DDL is transactional: when this method
 *       throws, or the host's part fails, everything is rolled back and nothing is purged.
 * </ul>
 *
 * <p>The plugin drops every object it created, whatever version created it (tables, sequences,
 * functions, types, its migration history): an older version's objects too. It must not commit,
 * roll back, close the connection or change its auto-commit. A plugin that stores data elsewhere
 * (files, a remote service) deletes it too, or documents what stays.
 *
 * <p>Stable since 0.2.
 */
public interface PurgeablePlugin {

  /**
   * Deletes everything the plugin stored, within the host's transaction.
   *
   * @param connection the host's connection, in a transaction the host commits
   * @throws SQLException when something could not be deleted; the host rolls everything back
   */
  void purgeData(Connection connection) throws SQLException;
}
