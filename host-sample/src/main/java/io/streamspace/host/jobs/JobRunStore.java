package io.streamspace.host.jobs;

import io.streamspace.common.db.Sql;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished job runs, in {@code host_job_runs}, shared by every node. A run that ends while the
 * database cannot be reached (a job that failed because of it, most likely) is kept in memory
 * and written before this node next reads or records a run, so that the job status shows it once
 * the database is back.
 */
public final class JobRunStore {

  private static final Logger log = LoggerFactory.getLogger(JobRunStore.class);

  /**
   * Runs kept at most. Quartz fires nothing while the database is down (it needs it to), so only
   * the runs in flight when it went away end during an outage: a handful.
   */
  private static final int MAX_UNWRITTEN = 100;

  /** The columns {@link #queryOne} reads, in its order. */
  private static final String COLUMNS =
      "job_name, started_at, ended_at, outcome, rows_touched, message, node";

  private static final String RECORD =
      """
      INSERT INTO host_job_runs (plugin_id, request_id, %s)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (request_id) DO NOTHING"""
          .formatted(COLUMNS);

  private static final String BY_REQUEST =
      "SELECT %s FROM host_job_runs WHERE request_id = ?".formatted(COLUMNS);

  private static final String LAST_RUN =
      """
      SELECT %s FROM host_job_runs WHERE plugin_id = ? AND job_name = ?
      ORDER BY started_at DESC, id DESC LIMIT 1"""
          .formatted(COLUMNS);

  private record Unwritten(String pluginId, String requestId, JobRun run) {}

  private final DataSource dataSource;

  /** Runs not written yet, oldest first; guarded by {@code this}. */
  private final Deque<Unwritten> unwritten = new ArrayDeque<>();

  public JobRunStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Records a run; {@code requestId} is null for a scheduled run. While the database cannot be
   * reached, the run is kept and written later.
   */
  public synchronized void record(String pluginId, String requestId, JobRun run) {
    if (unwritten.size() == MAX_UNWRITTEN) {
      unwritten.removeFirst();
    }
    unwritten.addLast(new Unwritten(pluginId, requestId, run));
    try {
      writeUnwritten();
    } catch (Sql.DatabaseException e) {
      if (!DatabaseOutage.causedBy(e)) {
        throw e;
      }
      log.warn(
          "Run of job {}/{} ({}) kept until the database can be reached again",
          pluginId,
          run.jobName(),
          run.outcome());
    }
  }

  /**
   * Writes the runs not written yet, oldest first. A run that fails for another reason than an
   * outage is dropped (and the failure thrown): retrying would not help.
   */
  private synchronized void writeUnwritten() {
    while (!unwritten.isEmpty()) {
      Unwritten next = unwritten.peekFirst();
      try {
        insert(next.pluginId(), next.requestId(), next.run());
      } catch (Sql.DatabaseException e) {
        if (!DatabaseOutage.causedBy(e)) {
          unwritten.removeFirst();
        }
        throw e;
      }
      unwritten.removeFirst();
    }
  }

  private void insert(String pluginId, String requestId, JobRun run) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(RECORD)) {
      statement.setString(1, pluginId);
      statement.setString(2, requestId);
      statement.setString(3, run.jobName());
      statement.setTimestamp(4, Timestamp.from(run.startedAt()));
      statement.setTimestamp(5, Timestamp.from(run.endedAt()));
      statement.setString(6, run.outcome().name());
      statement.setLong(7, run.rowsTouched());
      statement.setString(8, run.message());
      statement.setString(9, run.node());
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("recording a job run", e);
    }
  }

  /** The run a manual request caused, once it has finished. */
  public Optional<JobRun> findByRequestId(String requestId) {
    writeUnwritten();
    return queryOne(BY_REQUEST, requestId);
  }

  /** A job's most recent finished run. */
  public Optional<JobRun> lastRun(String pluginId, String jobName) {
    writeUnwritten();
    return queryOne(LAST_RUN, pluginId, jobName);
  }

  private Optional<JobRun> queryOne(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, sql, params);
        ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new JobRun(
              rows.getString(1),
              rows.getTimestamp(2).toInstant(),
              rows.getTimestamp(3).toInstant(),
              JobOutcome.valueOf(rows.getString(4)),
              rows.getLong(5),
              rows.getString(6),
              rows.getString(7)));
    } catch (SQLException e) {
      throw Sql.failure("reading job runs", e);
    }
  }
}
