package io.streamspace.host.plugins;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What the admin decided about each plugin, in {@code host_plugins}. Every change bumps the row's
 * version, by which each node tells what it has not applied yet.
 */
final class PluginStateStore {

  /**
   * A plugin's stored state.
   *
   * @param configJson the saved JSON object text, as PostgreSQL writes it: equal configs are equal
   *     text
   * @param secretsJson the secrets an admin set, encrypted, by secret key (JSON object text):
   *     {@code {"stripeSecretKey": "v1:..."}}
   * @param version    bumped by every change, on any node
   * @param installedPackage what it was installed from; its fields null for a plugin put into
   *     the plugins folder by hand or handed in-process
   */
  record StoredState(
      boolean installed,
      boolean enabled,
      String configJson,
      String secretsJson,
      long version,
      InstalledPackage installedPackage) {}

  private static final String STATE =
      "installed, enabled, config::text AS config, secrets::text AS secrets, version,"
          + " package_version, package_sha512, package_url";

  private static final String INSTALL =
      """
      INSERT INTO host_plugins (plugin_id, installed, enabled, config, updated_at)
      VALUES (?, true, true, '{}'::jsonb, ?)
      ON CONFLICT (plugin_id) DO NOTHING""";

  // no row, and an uninstall or purge in its history: taken out while this node was down
  private static final String REMOVED =
      """
      SELECT NOT EXISTS (SELECT 1 FROM host_plugins WHERE plugin_id = ?)
        AND EXISTS (SELECT 1 FROM host_plugin_operations
          WHERE plugin_id = ? AND operation IN ('uninstall', 'purge') AND outcome = 'ok')""";

  private static final String LOAD =
      "SELECT %s FROM host_plugins WHERE plugin_id = ?".formatted(STATE);

  private static final String LOAD_ALL = "SELECT plugin_id, %s FROM host_plugins".formatted(STATE);

  // Enabling installs; disabling keeps the plugin installed.
  private static final String SAVE_ENABLED =
      """
      UPDATE host_plugins
      SET enabled = ?, installed = installed OR ?, version = version + 1, updated_at = ?
      WHERE plugin_id = ? RETURNING %s"""
          .formatted(STATE);

  // Installing from a repository leaves the plugin disabled: its config comes first. A plugin
  // installed before (uninstalled since) keeps its config and secrets; one installed now (on
  // any node) is left as it is, and no row comes back.
  private static final String INSTALL_PACKAGE =
      """
      INSERT INTO host_plugins (plugin_id, installed, enabled, config, updated_at,
        package_version, package_sha512, package_url)
      VALUES (?, true, false, '{}'::jsonb, ?, ?, ?, ?)
      ON CONFLICT (plugin_id) DO UPDATE
      SET installed = true, enabled = false, updated_at = excluded.updated_at,
        package_version = excluded.package_version, package_sha512 = excluded.package_sha512,
        package_url = excluded.package_url, version = host_plugins.version + 1
      WHERE NOT host_plugins.installed
      RETURNING %s"""
          .formatted(STATE);

  private static final String SAVE_PACKAGE =
      """
      UPDATE host_plugins
      SET package_version = ?, package_sha512 = ?, package_url = ?, version = version + 1,
        updated_at = ?
      WHERE plugin_id = ? RETURNING %s"""
          .formatted(STATE);

  private static final String UNINSTALL =
      """
      UPDATE host_plugins
      SET installed = false, enabled = false, package_version = NULL, package_sha512 = NULL,
        package_url = NULL, version = version + 1, updated_at = ?
      WHERE plugin_id = ? RETURNING %s"""
          .formatted(STATE);

  private static final String LOCK_CONFIG =
      "SELECT config::text, secrets::text FROM host_plugins WHERE plugin_id = ? FOR UPDATE";

  private static final String SAVE_CONFIG =
      """
      UPDATE host_plugins
      SET config = ?::jsonb, secrets = ?::jsonb, version = version + 1, updated_at = ?
      WHERE plugin_id = ? RETURNING %s"""
          .formatted(STATE);

  private final DataSource dataSource;
  private final Clock clock;

  PluginStateStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * The plugin's state, creating it installed and enabled with an empty config on first sight,
   * so that a plugin dropped into the folder just works.
   *
   * @param unlessRemoved true for a package in the plugins folder: when the plugin has no row
   *     but was uninstalled or purged before, its package is a leftover of a node that was down,
   *     and it is not installed again
   * @return the state, or empty for such a leftover
   */
  Optional<StoredState> loadOrInstall(String pluginId, boolean unlessRemoved) {
    try (Connection connection = dataSource.getConnection()) {
      if (unlessRemoved) {
        try (PreparedStatement statement = Sql.prepare(connection, REMOVED, pluginId, pluginId);
            ResultSet rows = statement.executeQuery()) {
          if (rows.next() && rows.getBoolean(1)) {
            return Optional.empty();
          }
        }
      }
      try (PreparedStatement statement =
          Sql.prepare(connection, INSTALL, pluginId, Timestamp.from(clock.instant()))) {
        statement.executeUpdate();
      }
      return Optional.of(queryOne(connection, LOAD, pluginId));
    } catch (SQLException e) {
      throw Sql.failure("loading the state of plugin " + pluginId, e);
    }
  }

  /** By plugin id, the package version each installed plugin runs, if it came from one. */
  Map<String, String> installedVersions() {
    Map<String, String> versions = new HashMap<>();
    loadAll()
        .forEach(
            (id, state) -> {
              if (state.installed() && state.installedPackage().version() != null) {
                versions.put(id, state.installedPackage().version());
              }
            });
    return versions;
  }

  /** The plugin's stored state, or empty when it has no row (never seen, or purged). */
  Optional<StoredState> load(String pluginId) {
    try (Connection connection = dataSource.getConnection()) {
      return queryOptional(connection, LOAD, pluginId);
    } catch (SQLException e) {
      throw Sql.failure("loading the state of plugin " + pluginId, e);
    }
  }

  /** Every plugin's stored state, by plugin id. */
  Map<String, StoredState> loadAll() {
    Map<String, StoredState> states = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(LOAD_ALL);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        states.put(rows.getString("plugin_id"), state(rows));
      }
    } catch (SQLException e) {
      throw Sql.failure("loading the state of the plugins", e);
    }
    return states;
  }

  /** Enables (and installs) or disables a plugin; returns its state now. */
  StoredState saveEnabled(String pluginId, boolean enabled) {
    try (Connection connection = dataSource.getConnection()) {
      return queryOne(
          connection, SAVE_ENABLED, enabled, enabled, Timestamp.from(clock.instant()), pluginId);
    } catch (SQLException e) {
      throw Sql.failure("saving the state of plugin " + pluginId, e);
    }
  }

  /** A package a plugin was installed from: its version, SHA-512 and where it came from. */
  record InstalledPackage(String version, String sha512, String url) {}

  /**
   * Records a plugin installed from a package, disabled, its config kept if it had one.
   *
   * @return its state now, or empty when it is installed already (nothing changed)
   */
  Optional<StoredState> installPackage(String pluginId, InstalledPackage installed) {
    try (Connection connection = dataSource.getConnection()) {
      return queryOptional(
          connection,
          INSTALL_PACKAGE,
          pluginId,
          Timestamp.from(clock.instant()),
          installed.version(),
          installed.sha512(),
          installed.url());
    } catch (SQLException e) {
      throw Sql.failure("installing plugin " + pluginId, e);
    }
  }

  /** Records the package a plugin runs from now (null fields: none, a plugin put in by hand). */
  StoredState savePackage(String pluginId, InstalledPackage installed) {
    return update(
        "saving the package of plugin " + pluginId,
        SAVE_PACKAGE,
        installed.version(),
        installed.sha512(),
        installed.url(),
        Timestamp.from(clock.instant()),
        pluginId);
  }

  /** Records a plugin uninstalled; its config and secrets stay for a later install. */
  StoredState uninstall(String pluginId) {
    return update(
        "uninstalling plugin " + pluginId, UNINSTALL, Timestamp.from(clock.instant()), pluginId);
  }

  private StoredState update(String doing, String sql, Object... params) {
    try (Connection connection = dataSource.getConnection()) {
      return queryOne(connection, sql, params);
    } catch (SQLException e) {
      throw Sql.failure(doing, e);
    }
  }

  /** A saved config and its stored secrets, each JSON object text. */
  record SavedConfig(String configJson, String secretsJson) {}

  /** An edit of a saved config and its secrets: the new ones, or empty to keep the saved ones. */
  interface ConfigEdit {
    Optional<SavedConfig> apply(SavedConfig saved);
  }

  /** A saved config before an edit (JSON object text) and the plugin's state after it. */
  record EditedConfig(String before, StoredState after) {}

  /**
   * What must hold before an edited config commits, checked in its transaction: false (or a
   * failure) rolls the edit back. The plugin's own writes beside the change go here.
   */
  interface BeforeCommit {
    boolean keep(Connection connection, EditedConfig edited) throws SQLException;
  }

  /**
   * Edits the saved config under its row's lock: concurrent edits, on any node, apply one after
   * the other, each to what the previous one saved. {@code beforeCommit} sees the edit in its
   * transaction and may still refuse it.
   *
   * @return the config before and the plugin's state after, or empty when the edit kept it or
   *     {@code beforeCommit} refused it
   */
  Optional<EditedConfig> editConfig(String pluginId, ConfigEdit edit, BeforeCommit beforeCommit) {
    try {
      return Transactions.inTransaction(
          dataSource,
          connection -> {
            SavedConfig saved;
            try (PreparedStatement statement = Sql.prepare(connection, LOCK_CONFIG, pluginId);
                ResultSet rows = statement.executeQuery()) {
              saved =
                  rows.next()
                      ? new SavedConfig(rows.getString(1), rows.getString(2))
                      : new SavedConfig("{}", "{}");
            }
            Optional<SavedConfig> edited = edit.apply(saved);
            if (edited.isEmpty()) {
              return Optional.<EditedConfig>empty();
            }
            StoredState after =
                queryOne(
                    connection,
                    SAVE_CONFIG,
                    edited.get().configJson(),
                    edited.get().secretsJson(),
                    Timestamp.from(clock.instant()),
                    pluginId);
            EditedConfig change = new EditedConfig(saved.configJson(), after);
            if (!beforeCommit.keep(connection, change)) {
              connection.rollback();
              return Optional.<EditedConfig>empty();
            }
            return Optional.of(change);
          });
    } catch (SQLException e) {
      throw Sql.failure("saving the config of plugin " + pluginId, e);
    }
  }

  /** The one row a statement returns, as a plugin's state. */
  private static StoredState queryOne(Connection connection, String sql, Object... params)
      throws SQLException {
    return queryOptional(connection, sql, params)
        .orElseThrow(() -> new IllegalStateException("host_plugins has no row for this plugin"));
  }

  /** The row a statement returns, if any, as a plugin's state. */
  private static Optional<StoredState> queryOptional(
      Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, sql, params);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(state(rows)) : Optional.empty();
    }
  }

  private static StoredState state(ResultSet rows) throws SQLException {
    return new StoredState(
        rows.getBoolean("installed"),
        rows.getBoolean("enabled"),
        rows.getString("config"),
        rows.getString("secrets"),
        rows.getLong("version"),
        new InstalledPackage(
            rows.getString("package_version"),
            rows.getString("package_sha512"),
            rows.getString("package_url")));
  }
}
