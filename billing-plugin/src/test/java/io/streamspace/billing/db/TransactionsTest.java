package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.support.TestDatabase;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TransactionsTest {

  @Test
  void whenTheConnectionDiesTheCallerSeesWhyNotTheFailedRollback() {
    // the server ends this session mid-transaction, as a database going down does: the
    // rollback then fails too, and must not hide the failure that says "database unavailable"
    SQLException failure =
        assertThrows(
            SQLException.class,
            () ->
                Transactions.inTransaction(
                    TestDatabase.dataSource(),
                    connection -> {
                      try (Statement statement = connection.createStatement()) {
                        statement.execute("SELECT pg_terminate_backend(pg_backend_pid())");
                      }
                      return null;
                    }));

    assertEquals("57P01", failure.getSQLState(), failure.toString()); // admin_shutdown
    assertEquals(1, failure.getSuppressed().length, "the rollback's own failure, attached");
  }
}
