package io.streamspace.host.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.FreePort;
import io.streamspace.testing.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Database#isAvailable()}, what {@code /api/health} reports, against a real PostgreSQL
 * the test stops and starts again in place.
 */
class DatabaseAvailabilityTest {

  @TempDir Path work;

  @Test
  void
      theDatabaseIsUnavailableWithinSecondsWhileDownAndAvailableAtOnceWhenBackThoughThePoolHoldsConnectionsTheRestartBroke()
          throws Exception {
    int port = FreePort.find();
    EmbeddedPostgres server = TestDatabases.startServerIn(work.resolve("pg"), port);
    try (Database database =
        Database.external(server.getJdbcUrl("postgres", "postgres"), Map.of())) {
      // requests in flight while the database restarts: their connections go back to the pool
      // broken, and were used too recently for the pool to check them before handing them out
      List<Connection> inFlight = borrow(database, 4);
      server.close();

      long start = System.nanoTime();
      assertFalse(database.isAvailable());
      assertTrue(
          Duration.ofNanos(System.nanoTime() - start).toSeconds() < 6, "answered within seconds");

      server = TestDatabases.startServerIn(work.resolve("pg"), port);
      for (Connection connection : inFlight) {
        connection.close();
      }
      assertTrue(database.isAvailable());
    } finally {
      server.close();
    }
  }

  private static List<Connection> borrow(Database database, int count) throws SQLException {
    List<Connection> borrowed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      borrowed.add(database.dataSource().getConnection());
    }
    return borrowed;
  }
}
