package io.streamspace.host.jobs;

import io.streamspace.host.db.Sql;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/** Finished job runs, in {@code host_job_runs}, shared by every node. */
public final class JobRunStore {

  /** The columns {@link #queryOne} reads, in its order. */
  private static final String COLUMNS =
      "job_name, started_at, ended_at, outcome, rows_touched, message, node";

  private static final String RECORD =
      """
      INSERT INTO host_job_runs (plugin_id, request_id, %s)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""
          .formatted(COLUMNS);

  private static final String BY_REQUEST =
      "SELECT %s FROM host_job_runs WHERE request_id = ?".formatted(COLUMNS);

  private static final String LAST_RUN =
      """
      SELECT %s FROM host_job_runs WHERE plugin_id = ? AND job_name = ?
      ORDER BY started_at DESC, id DESC LIMIT 1"""
          .formatted(COLUMNS);

  private final DataSource dataSource;

  public JobRunStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Records a run; {@code requestId} is null for a scheduled run. */
  public void record(String pluginId, String requestId, JobRun run) {
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
    return queryOne(BY_REQUEST, requestId);
  }

  /** A job's most recent finished run. */
  public Optional<JobRun> lastRun(String pluginId, String jobName) {
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
