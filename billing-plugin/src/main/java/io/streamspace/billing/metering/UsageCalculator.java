package io.streamspace.billing.metering;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.ComputeRates;
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
 *   <li><b>Quantities.</b> Σ size × overlap seconds / 3600 over the size steps overlapping a
 *       slice: CPU core-hours, memory GB-hours. Storage follows the account's level (the last
 *       reported by any of its sessions, kept after they end) in GB-months of
 *       <b>730 hours</b> (8760 / 12), the same for every month. Zero quantities are not stored.
 *   <li><b>Prices.</b> The rates in effect when the job runs; {@code total_cost} is
 *       quantity × unit price, not rounded.
 * </ul>
 */
public final class UsageCalculator {

  /** Hours in the month used for GB-months: 8760 hours a year / 12. */
  public static final int HOURS_PER_MONTH = 730;

  private static final String CLOSE_TIMED_OUT = """
      UPDATE billing_sessions SET ended_at = last_heartbeat, end_reason = 'heartbeat_timeout'
      WHERE ended_at IS NULL AND last_heartbeat < ?
      """;

  private static final String CREATE_TODO = """
      CREATE TEMPORARY TABLE billing_rating_todo (
          user_id text NOT NULL, session_id text NOT NULL,
          from_t timestamptz NOT NULL, settle timestamptz NOT NULL, final boolean NOT NULL
      ) ON COMMIT DROP
      """;

  // what is left to rate: sessions (from the partial index of unsettled ones) and accounts
  // with a storage level, session_id '' standing for the account's storage
  private static final String FILL_TODO = """
      INSERT INTO billing_rating_todo
      SELECT s.user_id, s.session_id, coalesce(s.rated_until, s.started_at),
             least(coalesce(s.ended_at, s.last_heartbeat), p.cap),
             coalesce(s.ended_at <= p.cap, false)
      FROM billing_sessions s, (SELECT ?::timestamptz AS cap) p
      WHERE (s.ended_at IS NULL OR s.rated_until IS NULL OR s.rated_until < s.ended_at)
        AND coalesce(s.rated_until, s.started_at) < least(coalesce(s.ended_at, s.last_heartbeat), p.cap)
      UNION ALL
      SELECT a.user_id, '', f.from_t, p.cap, false
      FROM billing_accounts a, (SELECT ?::timestamptz AS cap) p
      CROSS JOIN LATERAL (SELECT coalesce(a.storage_rated_until,
          (SELECT min(l.effective_from) FROM billing_storage_levels l WHERE l.user_id = a.user_id))
          AS from_t) f
      WHERE f.from_t < p.cap
      """;

  private static final String RANGE = "SELECT min(from_t), max(settle) FROM billing_rating_todo";

  private static final String RATE = """
      WITH boundaries AS MATERIALIZED (
        SELECT unnest(?::text[]::timestamptz[]) AS b
      ),
      points AS (
        SELECT t.user_id, t.session_id, p.point
        FROM billing_rating_todo t
        CROSS JOIN LATERAL (
          SELECT t.from_t
          UNION ALL
          SELECT generate_series(date_trunc('hour', t.from_t, 'UTC') + interval '1 hour',
                                 t.settle, interval '1 hour')
          UNION ALL
          SELECT b FROM boundaries WHERE b > t.from_t AND b <= t.settle
          UNION ALL
          SELECT t.settle WHERE t.final
        ) AS p(point)
      ),
      slices AS MATERIALIZED (
        SELECT * FROM (
          SELECT user_id, session_id, point AS slice_start,
                 lead(point) OVER (PARTITION BY user_id, session_id ORDER BY point) AS slice_end
          FROM points) cut
        WHERE slice_end > slice_start
      ),
      steps AS (
        SELECT t.user_id, z.session_id, z.effective_from AS step_start,
               lead(z.effective_from) OVER (PARTITION BY z.session_id ORDER BY z.effective_from)
                 AS step_end,
               z.cpu_cores, z.memory_gb, NULL::numeric AS storage_gb
        FROM billing_rating_todo t JOIN billing_session_sizes z ON z.session_id = t.session_id
        WHERE t.session_id <> ''
        UNION ALL
        SELECT l.user_id, '', l.effective_from,
               lead(l.effective_from) OVER (PARTITION BY l.user_id ORDER BY l.effective_from),
               NULL, NULL, l.storage_gb
        FROM billing_rating_todo t JOIN billing_storage_levels l ON l.user_id = t.user_id
        WHERE t.session_id = ''
      ),
      usage AS (
        SELECT s.user_id, s.session_id, s.slice_start, s.slice_end,
               sum(g.cpu_cores * o.seconds) / 3600 AS cpu,
               sum(g.memory_gb * o.seconds) / 3600 AS memory,
               sum(g.storage_gb * o.seconds) / (3600 * %1$d) AS storage
        FROM slices s
        JOIN steps g ON g.user_id = s.user_id AND g.session_id = s.session_id
             AND g.step_start < s.slice_end AND (g.step_end IS NULL OR g.step_end > s.slice_start)
        CROSS JOIN LATERAL (SELECT extract(epoch FROM
            least(s.slice_end, coalesce(g.step_end, s.slice_end))
            - greatest(s.slice_start, g.step_start)) AS seconds) o
        GROUP BY s.user_id, s.session_id, s.slice_start, s.slice_end
      ),
      records AS (
        SELECT u.user_id, u.session_id, r.resource_type, u.slice_start, u.slice_end,
               r.quantity, r.unit, r.unit_price
        FROM usage u CROSS JOIN LATERAL (VALUES
            ('cpu', u.cpu, 'core-hours', ?::numeric),
            ('memory', u.memory, 'gb-hours', ?::numeric),
            ('storage', u.storage, 'gb-months', ?::numeric))
          AS r(resource_type, quantity, unit, unit_price)
        WHERE r.quantity > 0
      ),
      inserted AS (
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, quantity, unit, unit_price, total_cost, currency, created_at)
        SELECT r.user_id, r.session_id, r.resource_type, r.slice_start, r.slice_end,
               r.quantity, r.unit, r.unit_price, r.quantity * r.unit_price,
               coalesce(a.currency, ?), ?
        FROM records r LEFT JOIN billing_accounts a ON a.user_id = r.user_id
        ON CONFLICT ON CONSTRAINT billing_usage_records_slice DO NOTHING
        RETURNING 1
      ),
      watermarks AS (
        SELECT user_id, session_id, max(slice_end) AS rated_until
        FROM slices GROUP BY user_id, session_id
      ),
      sessions_advanced AS (
        UPDATE billing_sessions s SET rated_until = w.rated_until FROM watermarks w
        WHERE w.session_id <> '' AND s.session_id = w.session_id
        RETURNING 1
      ),
      storage_advanced AS (
        UPDATE billing_accounts a SET storage_rated_until = w.rated_until FROM watermarks w
        WHERE w.session_id = '' AND a.user_id = w.user_id
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM sessions_advanced),
             (SELECT count(*) FROM storage_advanced)
      """.formatted(HOURS_PER_MONTH);

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

    public long rowsTouched() {
      return sessionsClosed + recordsInserted;
    }

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
    long closed = update(connection, CLOSE_TIMED_OUT, cap);
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE_TODO);
    }
    update(connection, FILL_TODO, cap, cap);
    try (Statement statement = connection.createStatement()) {
      statement.execute("ANALYZE billing_rating_todo");
    }
    Instant[] range = range(connection);
    if (range == null) {
      return new Outcome(closed, 0, 0, 0);
    }
    List<Instant> boundaries = new BillingPeriods(config.invoiceDay(), config.billingTimeZone())
        .boundariesBetween(range[0], range[1]);
    ComputeRates rates = config.computeRates();
    try (PreparedStatement statement = connection.prepareStatement(RATE)) {
      statement.setArray(1, connection.createArrayOf("text",
          boundaries.stream().map(Instant::toString).toArray(String[]::new)));
      statement.setBigDecimal(2, rates.cpuPerCoreHour());
      statement.setBigDecimal(3, rates.memoryPerGbHour());
      statement.setBigDecimal(4, rates.storagePerGbMonth());
      statement.setString(5, config.currency().getCurrencyCode());
      statement.setTimestamp(6, Timestamp.from(now));
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new Outcome(closed, rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
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

  private static long update(Connection connection, String sql, Timestamp... params)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setTimestamp(i + 1, params[i]);
      }
      return statement.executeUpdate();
    }
  }
}
