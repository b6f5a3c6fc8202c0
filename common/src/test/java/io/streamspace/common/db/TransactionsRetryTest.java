package io.streamspace.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.common.support.TestDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Transactions#inTransactionRetryingConflicts}, against real PostgreSQL deadlocks. */
class TransactionsRetryTest {

  private final DataSource dataSource = TestDataSource.get();

  @BeforeEach
  void twoRows() {
    TestDataSource.execute(
        """
        DROP TABLE IF EXISTS retry_rows;
        CREATE TABLE retry_rows (id int PRIMARY KEY, n int NOT NULL, by_work int NOT NULL);
        INSERT INTO retry_rows VALUES (1, 0, 0), (2, 0, 0)""");
  }

  @AfterEach
  void drop() {
    TestDataSource.execute("DROP TABLE IF EXISTS retry_rows");
  }

  @Test
  void aTransactionChosenAsADeadlocksVictimRunsAgain_nothingOfItsFirstAttemptStays()
      throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch holdsRowTwo = new CountDownLatch(1);
    CompletableFuture<Void> other = new CompletableFuture<>();

    Transactions.inTransactionRetryingConflicts(
        dataSource,
        3,
        connection -> {
          int attempt = attempts.incrementAndGet();
          if (attempt > 1) {
            // the other one first: run while it still waits for row 2, a second attempt could
            // take that row before it and deadlock with it again (seen on a loaded machine)
            other.join();
          }
          update(connection, 2);
          if (attempt == 1) {
            // another transaction takes row 1, then waits for row 2, which this one holds;
            // this one then waits for row 1: a deadlock, this one noticing it (its timeout is
            // the shorter) and rolled back
            holdsRowTwo.countDown();
            CompletableFuture.runAsync(() -> lockOneThenTwo(holdsRowTwo, other));
            TestDataSource.awaitSessionsWaitingForALock(1);
            try (Statement statement = connection.createStatement()) {
              statement.execute("SET LOCAL deadlock_timeout = '10ms'");
            }
          }
          update(connection, 1);
          return null;
        });
    other.get();

    assertEquals(2, attempts.get(), "rolled back once for the deadlock, then run again");
    // each row: once by the other transaction, once by this one's second attempt
    assertEquals("1:2:1,2:2:1", rows());
  }

  @Test
  void anyOtherFailureIsNotRunAgain() {
    AtomicInteger attempts = new AtomicInteger();

    SQLException failure =
        assertThrows(
            SQLException.class,
            () ->
                Transactions.inTransactionRetryingConflicts(
                    dataSource,
                    3,
                    connection -> {
                      attempts.incrementAndGet();
                      try (Statement statement = connection.createStatement()) {
                        statement.execute("SELECT 1 / 0");
                      }
                      return null;
                    }));

    assertEquals("22012", failure.getSQLState()); // division_by_zero
    assertEquals(1, attempts.get());
  }

  private void lockOneThenTwo(CountDownLatch holdsRowTwo, CompletableFuture<Void> done) {
    try {
      holdsRowTwo.await();
      Transactions.inTransaction(
          dataSource,
          connection -> {
            try (Statement statement = connection.createStatement()) {
              statement.execute("SET LOCAL deadlock_timeout = '30s'");
              statement.execute("UPDATE retry_rows SET n = n + 1 WHERE id = 1");
              statement.execute("UPDATE retry_rows SET n = n + 1 WHERE id = 2");
            }
            return null;
          });
      done.complete(null);
    } catch (Exception e) {
      done.completeExceptionally(e);
    }
  }

  private static void update(Connection connection, int id) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UPDATE retry_rows SET n = n + 1, by_work = by_work + 1 WHERE id = " + id);
    }
  }

  private String rows() throws SQLException {
    StringBuilder rows = new StringBuilder();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT id, n, by_work FROM retry_rows ORDER BY id")) {
      while (rs.next()) {
        rows.append(rows.isEmpty() ? "" : ",")
            .append(rs.getInt(1))
            .append(':')
            .append(rs.getInt(2))
            .append(':')
            .append(rs.getInt(3));
      }
    }
    return rows.toString();
  }
}
