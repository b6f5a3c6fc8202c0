package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes' database as an operator sees it, for the tests that kill a node ({@code
 * KilledNodeIT}, {@code GenerateInvoicesKilledIT}): each statement on a connection of its own,
 * outside the hosts; a parameter that is a list is bound as {@code text[]}, an {@link Instant}
 * as a timestamp.
 */
final class OperatorDatabase {

  /** Reads a result. */
  interface Rows<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private final String url;

  OperatorDatabase(String url) {
    this.url = url;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** The first column of the first row, as a number. */
  long count(String sql, Object... params) {
    return longs(sql, params).get(0);
  }

  /** The first row's columns as numbers (0 for null). */
  List<Long> longs(String sql, Object... params) {
    return read(
        sql,
        params,
        rows -> {
          assertTrue(rows.next(), "no row for " + sql);
          List<Long> values = new ArrayList<>();
          for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
            values.add(rows.getLong(i));
          }
          return values;
        });
  }

  /** The first column of the first row, as text. */
  String text(String sql, Object... params) {
    return row(sql, params)[0];
  }

  /** The first row's columns as text. */
  String[] row(String sql, Object... params) {
    return read(
        sql,
        params,
        rows -> {
          assertTrue(rows.next(), "no row for " + sql);
          String[] columns = new String[rows.getMetaData().getColumnCount()];
          for (int i = 0; i < columns.length; i++) {
            columns[i] = rows.getString(i + 1);
          }
          return columns;
        });
  }

  /** The first column of every row, as text. */
  List<String> texts(String sql, Object... params) {
    return read(
        sql,
        params,
        rows -> {
          List<String> values = new ArrayList<>();
          while (rows.next()) {
            values.add(rows.getString(1));
          }
          return values;
        });
  }

  /** A query on a connection of its own. */
  <T> T read(String sql, Object[] params, Rows<T> reader) {
    try (Connection connection = connect()) {
      return query(connection, sql, params, reader);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An update on a connection of its own. */
  void update(String sql, Object... params) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement = prepare(connection, sql, params)) {
      statement.executeUpdate();
    }
  }

  /** Runs a locking query in a transaction left open; the caller ends it. */
  Connection lock(String sql, Object... params) throws SQLException {
    Connection connection = connect();
    connection.setAutoCommit(false);
    query(connection, sql, params, rows -> null);
    return connection;
  }

  /**
   * Waits until another session waits for a lock that one of {@code held} holds: a job asked to
   * run, which may first wait for its node's scheduler and a pooled connection. 30 s once ran out
   * on a machine loaded twice over (a CI run beside a benchmark); the wait ends as soon as the job
   * blocks, so a generous limit costs a passing run nothing.
   */
  void awaitBlockedBy(List<Connection> held) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    for (Connection connection : held) {
      pids.add(
          query(
              connection,
              "SELECT pg_backend_pid()",
              new Object[0],
              rows -> {
                rows.next();
                return rows.getInt(1);
              }));
    }
    String holders = pids.toString().replace('[', '{').replace(']', '}');
    Await.await(
        Duration.ofSeconds(120),
        Duration.ofMillis(20),
        "a statement waiting for the test's locks",
        () ->
            count(
                    "SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) && ?::int[]",
                    holders)
                > 0);
  }

  /** A query on {@code connection}. */
  static <T> T query(Connection connection, String sql, Object[] params, Rows<T> reader)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params);
        ResultSet rows = statement.executeQuery()) {
      return reader.read(rows);
    }
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      Object param = params[i];
      if (param instanceof List<?> list) {
        statement.setArray(i + 1, connection.createArrayOf("text", list.toArray()));
      } else if (param instanceof Instant instant) {
        statement.setTimestamp(i + 1, Timestamp.from(instant));
      } else {
        statement.setObject(i + 1, param);
      }
    }
    return statement;
  }
}
