package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Only the node holding a plugin's lease moves its cursor, and never backwards: a node that lost
 * the lease (another took it, or it ran out) is told so and changes nothing, the move's commit
 * without a WAL flush notwithstanding.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalCursorsTest {

  private static final Duration LEASE = Duration.ofMinutes(1);

  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final JournalCursors cursors = new JournalCursors(database.dataSource());

  @BeforeAll
  void migrate() {
    HostMigrations.migrate(database.dataSource());
  }

  @BeforeEach
  void aCursorHeldByNodeA() throws SQLException {
    sql("DELETE FROM host_journal_cursors");
    assertEquals(OptionalLong.of(0), cursors.acquire("billing", "node-a", LEASE));
    assertTrue(cursors.advance("billing", "node-a", 10, LEASE));
  }

  @AfterAll
  void close() {
    database.close();
  }

  @Test
  void aNodeThatDoesNotHoldTheLease_cannotMoveTheCursor() throws SQLException {
    assertFalse(cursors.advance("billing", "node-b", 20, LEASE));
    assertEquals(10, position());
    assertEquals("node-a", holder());
  }

  @Test
  void theHolderWhoseLeaseRanOut_cannotMoveIt_andAnotherNodeTakesItOnFromItsPosition()
      throws SQLException {
    sql("UPDATE host_journal_cursors SET lease_until = clock_timestamp() - interval '1 second'");

    assertFalse(cursors.advance("billing", "node-a", 20, LEASE));
    assertEquals(10, position());
    assertEquals(OptionalLong.of(10), cursors.acquire("billing", "node-b", LEASE));
    assertFalse(cursors.advance("billing", "node-a", 20, LEASE), "node-b holds it now");
    assertTrue(cursors.advance("billing", "node-b", 20, LEASE));
    assertEquals(20, position());
  }

  @Test
  void aMoveToAnEarlierPosition_renewsTheLease_butLeavesThePositionWhereItWas()
      throws SQLException {
    sql("UPDATE host_journal_cursors SET lease_until = clock_timestamp() + interval '1 second'");

    assertTrue(cursors.advance("billing", "node-a", 5, LEASE));
    assertEquals(10, position());
    assertEquals(
        1,
        count("SELECT count(*) FROM host_journal_cursors WHERE lease_until > now() + '30 s'"),
        "the lease renewed for another minute");
  }

  private long position() throws SQLException {
    return count("SELECT position FROM host_journal_cursors WHERE plugin_id = 'billing'");
  }

  private String holder() throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT holder FROM host_journal_cursors")) {
      rows.next();
      return rows.getString(1);
    }
  }

  private long count(String query) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void sql(String statement) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }
}
