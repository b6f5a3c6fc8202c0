package io.streamspace.host.plugins;

import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** Every lifecycle operation on a plugin, in {@code host_plugin_operations}: who did what, when. */
public final class PluginHistory {

  /** What was done to a plugin. */
  public enum Operation {
    INSTALL,
    UPDATE,
    UNINSTALL,
    PURGE,
    ENABLE,
    DISABLE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How an operation ended; {@code ROLLED_BACK}: it failed and the version before runs again. */
  public enum Outcome {
    OK,
    FAILED,
    ROLLED_BACK;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One recorded operation; the versions are null where there was none (or it is unknown). */
  public record Entry(
      String operation,
      String fromVersion,
      String toVersion,
      String actor,
      Instant at,
      String outcome,
      String detail) {}

  private static final String RECORD =
      """
      INSERT INTO host_plugin_operations
        (plugin_id, operation, from_version, to_version, actor, at, outcome, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

  private static final String OF_PLUGIN =
      """
      SELECT operation, from_version, to_version, actor, at, outcome, detail
      FROM host_plugin_operations WHERE plugin_id = ? ORDER BY id DESC""";

  private final DataSource dataSource;
  private final Clock clock;

  PluginHistory(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  void record(
      String pluginId,
      Operation operation,
      String fromVersion,
      String toVersion,
      String actor,
      Outcome outcome,
      String detail) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                RECORD,
                pluginId,
                operation.label(),
                fromVersion,
                toVersion,
                actor,
                Timestamp.from(clock.instant()),
                outcome.label(),
                detail)) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("recording an operation on plugin " + pluginId, e);
    }
  }

  /** The plugin's operations, newest first. */
  public List<Entry> of(String pluginId) {
    List<Entry> entries = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, OF_PLUGIN, pluginId);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        entries.add(
            new Entry(
                rows.getString("operation"),
                rows.getString("from_version"),
                rows.getString("to_version"),
                rows.getString("actor"),
                Sql.instant(rows.getTimestamp("at")),
                rows.getString("outcome"),
                rows.getString("detail")));
      }
    } catch (SQLException e) {
      throw Sql.failure("reading the history of plugin " + pluginId, e);
    }
    return entries;
  }
}
