package io.streamspace.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.common.support.TestDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The one way the host and the plugin run a transaction, on real PostgreSQL. */
class TransactionsTest {

  private final DataSource dataSource = TestDataSource.get();

  /** A refusal of the work's own. */
  private static final class Refused extends Exception {}

  @Test
  void whatTheWorkWroteIsCommittedWhenItReturnsAndRolledBackWhenItRefuses() throws Exception {
    execute("DROP TABLE IF EXISTS written; CREATE TABLE written (n int)");

    Transactions.inTransaction(dataSource, c -> execute(c, "INSERT INTO written VALUES (1)"));
    Refused refusal = new Refused();
    Refused thrown =
        assertThrows(
            Refused.class,
            () ->
                Transactions.inTransaction(
                    dataSource,
                    c -> {
                      execute(c, "INSERT INTO written VALUES (2)");
                      throw refusal;
                    }));

    assertSame(refusal, thrown, "the work's own exception, as it is");
    assertEquals(1, count("SELECT count(*) FROM written"), "only the committed row");
  }

  @Test
  void whenTheConnectionDiesTheCallerSeesWhyNotTheFailedRollback() {
    // the server ends this session mid-transaction, as a database going down does: the
    // rollback then fails too, and must not hide the failure that says "database unavailable"
    SQLException failure =
        assertThrows(
            SQLException.class,
            () ->
                Transactions.inTransaction(
                    dataSource, c -> execute(c, "SELECT pg_terminate_backend(pg_backend_pid())")));

    assertEquals("57P01", failure.getSQLState(), failure.toString()); // admin_shutdown
    assertEquals(1, failure.getSuppressed().length, "the rollback's own failure, attached");
  }

  private static Void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
    return null;
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      execute(connection, sql);
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
