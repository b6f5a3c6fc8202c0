package io.streamspace.host.plugins;

import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Keeps operations on one plugin from overlapping across nodes: a PostgreSQL advisory lock on
 * the plugin id, held on a connection of its own for the whole operation. It is only tried, never
 * waited for: a node holding it may be downloading or starting a plugin for a long while.
 */
public final class PluginOperationLock {

  /** Thrown when another node is operating on the plugin. */
  static final class InProgress extends RuntimeException {
    InProgress(String pluginId) {
      super("another operation on plugin " + pluginId + " is in progress; try again when it ends");
    }
  }

  /** A held lock; closing it releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  // The first key of the two-key advisory lock: this host's plugin operations (0x706c7567).
  static final int NAMESPACE = 1886156135;

  /** Tries the lock; the same statement a test can run to hold it as another node would. */
  public static final String TRY_LOCK =
      "SELECT pg_try_advisory_lock(" + NAMESPACE + ", hashtext(?))";

  /** Releases the lock; the statement a test runs to let go of one it holds. */
  public static final String UNLOCK = "SELECT pg_advisory_unlock(" + NAMESPACE + ", hashtext(?))";

  private final DataSource dataSource;

  PluginOperationLock(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Takes the plugin's lock.
   *
   * @throws InProgress when another node holds it
   */
  Held take(String pluginId) {
    Connection connection = null;
    try {
      connection = dataSource.getConnection();
      if (!tryLock(connection, pluginId)) {
        connection.close();
        throw new InProgress(pluginId);
      }
    } catch (SQLException e) {
      closeQuietly(connection);
      throw Sql.failure("locking plugin " + pluginId, e);
    }
    Connection held = connection;
    return () -> release(held, pluginId);
  }

  /** Whether an operation on the plugin runs now, here or on another node (tried, not waited). */
  boolean isHeld(String pluginId) {
    try (Held held = take(pluginId)) {
      return false;
    } catch (InProgress e) {
      return true;
    }
  }

  private static boolean tryLock(Connection connection, String pluginId) throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, TRY_LOCK, pluginId);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() && rows.getBoolean(1);
    }
  }

  private void release(Connection connection, String pluginId) {
    try (PreparedStatement statement = Sql.prepare(connection, UNLOCK, pluginId)) {
      statement.executeQuery().close();
    } catch (SQLException e) {
      // the session may still hold the lock: end it, never hand it back to the pool
      discard(connection);
      throw Sql.failure("unlocking plugin " + pluginId, e);
    }
    closeQuietly(connection);
  }

  /** Ends the connection's session, and with it its advisory locks; the pool never lends it. */
  private void discard(Connection connection) {
    if (dataSource instanceof HikariDataSource pool) {
      pool.evictConnection(connection);
    }
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      // evicted, and closed below: the session ends when the pool closes it
    }
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the failure being reported matters more
      }
    }
  }
}
