package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * intake-with-rating counts a batch as beside no run only once every run Quartz fired before the
 * window's end has ended: the host's run history records a run at its end, so one still executing is
 * found among Quartz's fired triggers, where the host's clustered scheduler keeps it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeWithRatingRunsTest {

  private static final Instant FIRED = Instant.parse("2026-11-28T05:50:00Z");

  private Database database;

  @BeforeAll
  void migrateTheHostsSchema() {
    database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
    HostMigrations.migrate(database.dataSource());
  }

  @AfterAll
  void close() {
    database.close();
  }

  @BeforeEach
  void noTriggerFired() throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement delete = connection.createStatement()) {
      delete.execute("DELETE FROM qrtz_fired_triggers");
    }
  }

  @Test
  void aRunFiredBeforeTheWindowEndedAndStillExecuting_isStillRating() throws SQLException {
    fired("calculate-usage", "EXECUTING");

    assertTrue(executingSince(FIRED.plusSeconds(1)));
    assertFalse(executingSince(FIRED), "fired as the window ended: not a run of it");
  }

  @Test
  void anotherJobExecuting_orThisJobsTriggerNotExecutingYet_isNoRunOfTheJob() throws SQLException {
    fired("check-quotas", "EXECUTING");
    fired("calculate-usage", "ACQUIRED");

    assertFalse(executingSince(FIRED.plusSeconds(1)));
  }

  private boolean executingSince(Instant to) throws SQLException {
    return IntakeWithRatingWorkload.executingSince(database.dataSource(), to);
  }

  /** A trigger of the billing plugin's job, fired at {@link #FIRED}, in {@code state}. */
  private void fired(String jobName, String state) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO qrtz_fired_triggers (sched_name, entry_id, trigger_name,"
                    + " trigger_group, instance_name, fired_time, sched_time, priority, state,"
                    + " job_name, job_group) VALUES ('streamspace-host', ?, ?, 'billing', 'node-a',"
                    + " ?, ?, 5, ?, ?, 'billing')")) {
      insert.setString(1, jobName + "-" + state);
      insert.setString(2, jobName);
      insert.setLong(3, FIRED.toEpochMilli());
      insert.setLong(4, FIRED.toEpochMilli());
      insert.setString(5, state);
      insert.setString(6, jobName);
      insert.executeUpdate();
    }
  }
}
