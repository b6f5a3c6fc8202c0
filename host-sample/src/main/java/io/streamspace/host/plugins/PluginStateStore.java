package io.streamspace.host.plugins;

import io.streamspace.host.db.Sql;
import io.streamspace.host.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;

/** What the admin decided about each plugin, in {@code host_plugins}. */
final class PluginStateStore {

  /** A plugin's stored state; {@code configJson} is the saved JSON object text. */
  record StoredState(boolean installed, boolean enabled, String configJson) {}

  private static final String INSTALL =
      """
      INSERT INTO host_plugins (plugin_id, installed, enabled, config, updated_at)
      VALUES (?, true, true, '{}'::jsonb, ?)
      ON CONFLICT (plugin_id) DO NOTHING""";

  private static final String LOAD =
      "SELECT installed, enabled, config::text FROM host_plugins WHERE plugin_id = ?";

  private static final String SAVE_FLAGS =
      """
      UPDATE host_plugins SET installed = ?, enabled = ?, updated_at = ? WHERE plugin_id = ?""";

  private static final String LOCK_CONFIG =
      "SELECT config::text FROM host_plugins WHERE plugin_id = ? FOR UPDATE";

  private static final String SAVE_CONFIG =
      "UPDATE host_plugins SET config = ?::jsonb, updated_at = ? WHERE plugin_id = ?";

  private final DataSource dataSource;
  private final Clock clock;

  PluginStateStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * The plugin's state, creating it installed and enabled with an empty config on first sight,
   * so that a plugin dropped into the folder just works.
   */
  StoredState loadOrInstall(String pluginId) {
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement statement =
          Sql.prepare(connection, INSTALL, pluginId, Timestamp.from(clock.instant()))) {
        statement.executeUpdate();
      }
      try (PreparedStatement statement = Sql.prepare(connection, LOAD, pluginId);
          ResultSet rows = statement.executeQuery()) {
        rows.next();
        return new StoredState(rows.getBoolean(1), rows.getBoolean(2), rows.getString(3));
      }
    } catch (SQLException e) {
      throw Sql.failure("loading the state of plugin " + pluginId, e);
    }
  }

  void saveFlags(String pluginId, boolean installed, boolean enabled) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                SAVE_FLAGS,
                installed,
                enabled,
                Timestamp.from(clock.instant()),
                pluginId)) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("saving the state of plugin " + pluginId, e);
    }
  }

  /** An edit of a saved config: the new JSON object text, or empty to keep the saved one. */
  interface ConfigEdit {
    Optional<String> apply(String savedJson);
  }

  /** A saved config before and after an edit, as JSON object text. */
  record EditedConfig(String before, String after) {}

  /**
   * Edits the saved config under its row's lock: concurrent edits, on any node, apply one after
   * the other, each to what the previous one saved.
   *
   * @return the config before and after, or empty when the edit kept it
   */
  Optional<EditedConfig> editConfig(String pluginId, ConfigEdit edit) {
    try {
      return Transactions.inTransaction(
          dataSource,
          connection -> {
            String saved;
            try (PreparedStatement statement = Sql.prepare(connection, LOCK_CONFIG, pluginId);
                ResultSet rows = statement.executeQuery()) {
              saved = rows.next() ? rows.getString(1) : "{}";
            }
            Optional<String> edited = edit.apply(saved);
            if (edited.isPresent()) {
              try (PreparedStatement statement =
                  Sql.prepare(
                      connection,
                      SAVE_CONFIG,
                      edited.get(),
                      Timestamp.from(clock.instant()),
                      pluginId)) {
                statement.executeUpdate();
              }
            }
            return edited.map(after -> new EditedConfig(saved, after));
          });
    } catch (SQLException e) {
      throw Sql.failure("saving the config of plugin " + pluginId, e);
    }
  }
}
