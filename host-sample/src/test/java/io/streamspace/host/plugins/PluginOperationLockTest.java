package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.Await;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cluster-wide lock on a plugin's operations, on a real pool and PostgreSQL. */
class PluginOperationLockTest {

  @Test
  void aLockThatCannotBeUnlocked_endsItsSession_ratherThanGoingBackToThePoolHoldingIt()
      throws Exception {
    String adminUrl = TestDatabases.freshDatabaseUrl();
    String role = "locker_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = DriverManager.getConnection(adminUrl);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE ROLE " + role + " LOGIN");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(adminUrl.replace("user=postgres", "user=" + role));
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config);
        Connection admin = DriverManager.getConnection(adminUrl);
        Statement statement = admin.createStatement()) {
      PluginOperationLock lock = new PluginOperationLock(pool);
      PluginOperationLock.Held held = lock.take("billing");
      // the unlock fails in the database while its session lives on
      statement.execute(
          "REVOKE EXECUTE ON FUNCTION pg_advisory_unlock(integer, integer) FROM PUBLIC");

      assertThrows(RuntimeException.class, held::close);

      // the server ends the session a moment after its connection closes
      Await.await(
          Duration.ofSeconds(10),
          Duration.ofMillis(10),
          "no session holding the lock",
          () -> advisoryLocks(statement) == 0);
      statement.execute("GRANT EXECUTE ON FUNCTION pg_advisory_unlock(integer, integer) TO PUBLIC");
      assertFalse(lock.isHeld("billing"), "the pool's next connection can take it");
    }
  }

  private static int advisoryLocks(Statement statement) throws Exception {
    try (ResultSet rows =
        statement.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
