package io.streamspace.billing.metering;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.ComputeRates;
import io.streamspace.billing.rating.UsageUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * calculate-usage: rates every session's and every account's unrated time into usage records,
 * set-based, in one transaction (a crash half-way leaves nothing behind, and a re-run inserts
 * nothing twice thanks to the unique slice key and the watermarks).
 *
 * <p>Semantics:
 * <ul>
 *   <li><b>Timeout.</b> A session without an end whose last heartbeat is older than the
 *       heartbeat timeout is closed at its last heartbeat ({@code heartbeat_timeout}).
 *   <li><b>Lateness.</b> Time is settled only up to {@code now - timeout}: events that arrive
 *       up to one timeout late are still billed exactly; later ones cannot change rated time.
 *   <li><b>Slices.</b> Unrated time {@code [rated_until or started_at, settle point)} is cut at
 *       every UTC hour and at every billing-period start. An open session rates only slices that
 *       end by its settle point; an ended session also rates its final partial slice.
 *   <li><b>Usage.</b> Σ size × overlap seconds over the size steps overlapping a slice, in
 *       exact unit-seconds: CPU core-seconds, memory GB-seconds, and storage GB-seconds of the
 *       account's level (the last reported by any of its sessions, kept after they end). Zero
 *       usage is not stored. Units ({@link UsageUnit}) are applied only when reporting.
 *   <li><b>Prices.</b> The rates in effect when the job runs, stored with each record.
 * </ul>
 */
public final class UsageCalculator {

  private static final String CLOSE_TIMED_OUT = """
      UPDATE billing_sessions SET ended_at = last_heartbeat, end_reason = 'heartbeat_timeout'
      WHERE NOT settled AND ended_at IS NULL AND last_heartbeat < ?
      """;

  // sessions that ended before any of their time could be rated have nothing left to do
  private static final String SETTLE_EMPTY = """
      UPDATE billing_sessions SET settled = true
      WHERE NOT settled AND ended_at <= coalesce(rated_until, started_at)
      """;

  // Work tables of one run, dropped at commit or rollback; analyzed so that the planner
  // knows their real sizes (generate_series would otherwise be guessed at 1000 rows a call).
  private static final String CREATE_WORK_TABLES = """
      CREATE TEMPORARY TABLE billing_rating_todo (
          todo_id integer PRIMARY KEY, user_id text COLLATE "C" NOT NULL,
          session_id text COLLATE "C" NOT NULL, currency text NOT NULL,
          from_t timestamptz NOT NULL, settle timestamptz NOT NULL, final boolean NOT NULL
      ) ON COMMIT DROP;
      CREATE TEMPORARY TABLE billing_rating_slices (
          slice_id integer PRIMARY KEY, todo_id integer NOT NULL,
          user_id text COLLATE "C" NOT NULL, session_id text COLLATE "C" NOT NULL,
          currency text NOT NULL, slice_start timestamptz NOT NULL, slice_end timestamptz NOT NULL
      ) ON COMMIT DROP
      """;

  // what is left to rate: unsettled sessions, and accounts with a storage level (session_id ''
  // stands for the account's storage, which has no end)
  private static final String FILL_TODO = """
      INSERT INTO billing_rating_todo
      SELECT row_number() OVER (), todo.*
      FROM (
        SELECT s.user_id, s.session_id, coalesce(a.currency, ?),
               coalesce(s.rated_until, s.started_at) AS from_t,
               least(coalesce(s.ended_at, s.last_heartbeat), p.cap) AS settle,
               coalesce(s.ended_at <= p.cap, false)
        FROM (SELECT ?::timestamptz AS cap) p
        CROSS JOIN billing_sessions s
        LEFT JOIN billing_accounts a ON a.user_id = s.user_id
        WHERE NOT s.settled
        UNION ALL
        SELECT a.user_id, '', a.currency, coalesce(a.storage_rated_until,
                 (SELECT min(l.effective_from) FROM billing_storage_levels l
                  WHERE l.user_id = a.user_id)),
               p.cap, false
        FROM (SELECT ?::timestamptz AS cap) p CROSS JOIN billing_accounts a
      ) todo
      WHERE todo.from_t < todo.settle
      """;

  private static final String RANGE = "SELECT min(from_t), max(settle) FROM billing_rating_todo";

  // Cut points: the start, every UTC hour and period boundary inside, and the end of an ended
  // session; consecutive points make the slices (duplicates give empty ones, dropped).
  private static final String FILL_SLICES = """
      INSERT INTO billing_rating_slices
      SELECT row_number() OVER (), todo_id, user_id, session_id, currency, slice_start, slice_end
      FROM (
        SELECT t.todo_id, t.user_id, t.session_id, t.currency, p.point AS slice_start,
               lead(p.point) OVER (PARTITION BY t.todo_id ORDER BY p.point) AS slice_end
        FROM billing_rating_todo t
        CROSS JOIN LATERAL (
          SELECT t.from_t
          UNION ALL
          SELECT generate_series(date_trunc('hour', t.from_t, 'UTC') + interval '1 hour',
                                 t.settle, interval '1 hour')
          UNION ALL
          SELECT b FROM unnest(?::text[]::timestamptz[]) AS b WHERE b > t.from_t AND b <= t.settle
          UNION ALL
          SELECT t.settle WHERE t.final
        ) AS p(point)
      ) cut
      WHERE slice_end > slice_start
      """;

  // Σ size × overlap seconds over the size steps (lead() gives each step its end) overlapping
  // each slice, then one record per resource with a non-zero quantity.
  private static final String INSERT_RECORDS = """
      WITH steps AS (
        SELECT t.todo_id, z.effective_from AS step_start,
               lead(z.effective_from) OVER (PARTITION BY t.todo_id ORDER BY z.effective_from)
                 AS step_end,
               z.cpu_cores, z.memory_gb, NULL::numeric AS storage_gb
        FROM billing_rating_todo t JOIN billing_session_sizes z ON z.session_id = t.session_id
        WHERE t.session_id <> ''
        UNION ALL
        SELECT t.todo_id, l.effective_from,
               lead(l.effective_from) OVER (PARTITION BY t.todo_id ORDER BY l.effective_from),
               NULL, NULL, l.storage_gb
        FROM billing_rating_todo t JOIN billing_storage_levels l ON l.user_id = t.user_id
        WHERE t.session_id = ''
      ),
      usage AS (
        SELECT s.slice_id, s.user_id, s.session_id, s.currency, s.slice_start, s.slice_end,
               sum(g.cpu_cores * o.seconds) AS cpu,
               sum(g.memory_gb * o.seconds) AS memory,
               sum(g.storage_gb * o.seconds) AS storage
        FROM billing_rating_slices s
        JOIN steps g ON g.todo_id = s.todo_id AND g.step_start < s.slice_end
             AND (g.step_end IS NULL OR g.step_end > s.slice_start)
        CROSS JOIN LATERAL (SELECT extract(epoch FROM
            least(s.slice_end, coalesce(g.step_end, s.slice_end))
            - greatest(s.slice_start, g.step_start)) AS seconds) o
        GROUP BY s.slice_id
      )
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at)
      SELECT u.user_id, u.session_id, r.resource_type, u.slice_start, u.slice_end,
             r.unit_seconds, r.unit, r.unit_price, u.currency, ?
      FROM usage u
      CROSS JOIN LATERAL (VALUES
          (?, u.cpu, ?, ?::numeric),
          (?, u.memory, ?, ?::numeric),
          (?, u.storage, ?, ?::numeric))
        AS r(resource_type, unit_seconds, unit, unit_price)
      WHERE r.unit_seconds > 0
      ON CONFLICT ON CONSTRAINT billing_usage_records_slice DO NOTHING
      """;

  // each subject is rated up to the end of its last slice; an ended session whose end is
  // reached is settled for good
  private static final String ADVANCE_WATERMARKS = """
      WITH watermarks AS (
        SELECT user_id, session_id, max(slice_end) AS rated_until
        FROM billing_rating_slices GROUP BY todo_id, user_id, session_id
      ),
      sessions AS (
        UPDATE billing_sessions s
        SET rated_until = w.rated_until, settled = coalesce(w.rated_until >= s.ended_at, false)
        FROM watermarks w
        WHERE w.session_id <> '' AND s.session_id = w.session_id
        RETURNING 1
      ),
      accounts AS (
        UPDATE billing_accounts a SET storage_rated_until = w.rated_until
        FROM watermarks w
        WHERE w.session_id = '' AND a.user_id = w.user_id
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM accounts)
      """;

  /**
   * What one run did.
   *
   * @param sessionsClosed   sessions closed for lack of heartbeats
   * @param recordsInserted  usage records inserted
   * @param sessionsRated    sessions whose watermark advanced
   * @param accountsRated    accounts whose storage watermark advanced
   */
  public record Outcome(
      long sessionsClosed, long recordsInserted, long sessionsRated, long accountsRated) {

    public String summary() {
      return "inserted %d usage records; rated %d sessions and %d storage accounts; closed %d timed-out sessions"
          .formatted(recordsInserted, sessionsRated, accountsRated, sessionsClosed);
    }
  }

  private final DataSource dataSource;

  public UsageCalculator(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Rates everything settled at {@code now} under {@code config}, atomically. */
  public Outcome run(BillingConfig config, Instant now) throws SQLException {
    Timestamp cap = Timestamp.from(now.minus(config.sessionHeartbeatTimeout()));
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Outcome outcome = rate(connection, config, now, cap);
        connection.commit();
        return outcome;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  /** The job's statements, on a connection whose transaction the caller owns. */
  Outcome rate(Connection connection, BillingConfig config, Instant now, Timestamp cap)
      throws SQLException {
    execute(connection, "SET LOCAL work_mem = '128MB'"); // sorts of a run stay in memory
    long closed = update(connection, CLOSE_TIMED_OUT, cap);
    update(connection, SETTLE_EMPTY);
    execute(connection, CREATE_WORK_TABLES);
    update(connection, FILL_TODO, config.currency().getCurrencyCode(), cap, cap);
    execute(connection, "ANALYZE billing_rating_todo");
    Instant[] range = range(connection);
    if (range == null) {
      return new Outcome(closed, 0, 0, 0);
    }
    List<Instant> boundaries = new BillingPeriods(config.invoiceDay(), config.billingTimeZone())
        .boundariesBetween(range[0], range[1]);
    update(connection, FILL_SLICES, connection.createArrayOf("text",
        boundaries.stream().map(Instant::toString).toArray(String[]::new)));
    execute(connection, "ANALYZE billing_rating_slices");
    ComputeRates rates = config.computeRates();
    long inserted = update(connection, INSERT_RECORDS, Timestamp.from(now),
        UsageUnit.CPU.resourceType(), UsageUnit.CPU.label(), rates.cpuPerCoreHour(),
        UsageUnit.MEMORY.resourceType(), UsageUnit.MEMORY.label(), rates.memoryPerGbHour(),
        UsageUnit.STORAGE.resourceType(), UsageUnit.STORAGE.label(), rates.storagePerGbMonth());
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(ADVANCE_WATERMARKS)) {
      rs.next();
      return new Outcome(closed, inserted, rs.getLong(1), rs.getLong(2));
    }
  }

  private static Instant[] range(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(RANGE)) {
      rs.next();
      Timestamp from = rs.getTimestamp(1);
      return from == null ? null : new Instant[] {from.toInstant(), rs.getTimestamp(2).toInstant()};
    }
  }

  private static long update(Connection connection, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      return statement.executeUpdate();
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
