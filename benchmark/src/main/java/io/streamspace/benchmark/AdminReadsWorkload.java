package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.benchmark.UsageReadsWorkload.Period;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the reads over every organization cost with a year of history: M requests each of {@code
 * GET /admin/dashboard} (its default 12 months), {@code GET /admin/reports} as JSON and as CSV
 * (its default range, the current month, grouped by user: a page of {@value #PAGE} organizations
 * after a different one each request) and an organization's usage by member ({@code GET
 * /usage?org_id=}, a team's statement with its {@code by_member}), one request at a time as the
 * admin, p50 and p99 of each; then the report of every organization, JSON and CSV, read whole
 * {@value #WHOLE_REPORTS} times each (no target: a report of 100,000 organizations is read a
 * page at a time where an answer is awaited).
 *
 * <p>The history is seeded by SQL, in the order calculate-usage and the invoice runs write it, for
 * N team organizations (copies of one opened through intake): a one-day session every 7th day of
 * the year (settled, three members taking turns, one size each), one session in ten of the
 * organizations open now, and an invoice for each of the 12 periods before the current one (paid,
 * the last one sent; a plan fee, a cpu and a storage line). Usage records, hour by hour: a storage
 * record every hour and a cpu record every hour of a session, for the current period for every
 * organization and for the whole year for a sample of them. A year of hourly records for 100,000
 * organizations (876 million, about 175 GB with the key) fits neither the machine's disk nor the
 * run's time; the routes measured read the current period's records of every organization (the
 * report), one organization's (usage by member) and none (the dashboard), and the sample's year
 * keeps the table and its indexes as a history makes them. The reports and usage by member read
 * them summed per day: the daily rollup, built by running the roll-up-usage job once the records
 * are seeded. The dashboard reads the revenue figures the invoices' triggers keep (V40; the
 * seeding's inserts move them as finalization would) and a snapshot of its usage patterns (the
 * sessions of 30 days) and accounts near their limits, which its first request takes (warm-up)
 * and refresh-dashboard takes again every 5 minutes.
 *
 * <p>Each route has a time budget (small: 1 minute, full: 5), its warm-up included: a route that
 * runs out of it is measured on the requests sent by then (at least one), and its row's size says
 * how many of the M they were, so one slow route cannot hold a full run for hours (run E's
 * dashboard took 30-39 s a request: 200 would have taken over 100 minutes).
 */
final class AdminReadsWorkload implements Workload {

  private static final Duration TARGET = Duration.ofMillis(50);

  /** The organizations of a page of the reports measured. */
  private static final int PAGE = 100;

  /** How many times the report of every organization is read whole. */
  private static final int WHOLE_REPORTS = 3;

  // the pages asked so far, to spread them over the organizations
  private int pages;

  // the organizations: copies of the template's account and subscription
  private static final String ACCOUNTS =
      """
      INSERT INTO billing_accounts (user_id, email, currency, status, created_at, personal, name,
                                    user_created_at)
      SELECT ? || i, NULL, t.currency, t.status, ?, false, 'Org ' || i, ?
      FROM billing_accounts t CROSS JOIN generate_series(1, ?) i WHERE t.user_id = ?;
      -- in the same transaction: an account has an active subscription when it commits
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
                                         billing_interval, cpu_limit, memory_limit,
                                         storage_limit, started_at)
      SELECT ? || i, s.plan_id, s.plan_name, s.price, s.currency, s.billing_interval,
             s.cpu_limit, s.memory_limit, s.storage_limit, ?
      FROM billing_subscriptions s CROSS JOIN generate_series(1, ?) i
      WHERE s.user_id = ? AND s.ended_at IS NULL
      """;
  // a one-day session every 7th day from the year's start, by member -m0..-m2 in turn, settled
  // once over; one in ten organizations has one open now
  private static final String SESSIONS =
      """
      INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,
                                    last_heartbeat, ended_at, end_reason, rated_until, settled)
      SELECT ? || i || '-w' || w, ? || i || '-m' || (w % 3), ? || i, true, s, s + interval '1 day',
             s + interval '1 day', 'terminated', s + interval '1 day', true
      FROM generate_series(0, 52) w
      CROSS JOIN LATERAL (SELECT ?::timestamptz + w * interval '7 days' AS s) x
      CROSS JOIN generate_series(1, ?) i
      WHERE s + interval '1 day' <= ?
      ORDER BY s, i;
      INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,
                                    last_heartbeat, rated_until)
      SELECT ? || i || '-open', ? || i || '-m0', ? || i, true, ?::timestamptz - interval '2 hours',
             ?, ?::timestamptz - interval '1 hour'
      FROM generate_series(10, ?, 10) i;
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
      SELECT session_id, started_at, 1, 2 FROM billing_sessions WHERE org_id LIKE ? || '%'
      """;
  // one hour's records of organizations 1..?: storage, and cpu in a session's day (every 7th);
  // each statement a rating run of its own, taken as calculate-usage takes one (SeededRatingRun)
  private static final String HOUR =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT ? || i, r.session_id, r.resource_type, h, h + interval '1 hour', r.unit_seconds,
             r.unit, r.unit_price, 'USD', h + interval '70 minutes', ?
      FROM generate_series(?::timestamptz, ?::timestamptz, interval '1 hour') h
      CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM h - ?::timestamptz) / 86400)::int AS d) x
      CROSS JOIN generate_series(1, ?) i
      CROSS JOIN LATERAL (
        SELECT '', 'storage', 36000, 'gb-months', ?::numeric
        UNION ALL
        SELECT ? || i || '-w' || (x.d / 7), 'cpu', 3600, 'core-hours', ?::numeric
        WHERE x.d % 7 = 0) r(session_id, resource_type, unit_seconds, unit, unit_price)
      ORDER BY h, i
      """;
  private static final String INVOICES =
      """
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    invoice_number, subtotal, total, finalize_after,
                                    finalized_at, due_at, paid_at, created_at)
      SELECT ? || i, ?, ?, 'USD', CASE WHEN ? THEN 'sent' ELSE 'paid' END,
             'BENCH-' || ? || '-' || i, 13, 13, ?, ?, ?::timestamptz + interval '15 days',
             CASE WHEN ? THEN NULL ELSE ?::timestamptz + interval '3 days' END, ?
      FROM generate_series(1, ?) i
      ORDER BY i;
      INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
                                         quantity, unit, unit_price, amount, period_start,
                                         period_end)
      SELECT i.id, l.line_no, l.kind, l.kind, l.resource_type, 1, l.unit, l.amount, l.amount,
             i.period_start, i.period_end
      FROM billing_invoices i
      CROSS JOIN (VALUES (1, 'plan_fee', NULL, NULL, 10),
                         (2, 'usage', 'cpu', 'core-hours', 2),
                         (3, 'usage', 'storage', 'gb-months', 1))
        AS l(line_no, kind, resource_type, unit, amount)
      WHERE i.user_id LIKE ? || '%' AND i.period_start = ?
      ORDER BY i.id, l.line_no
      """;

  @Override
  public String name() {
    return "admin-reads";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int orgs = context.size().pick(300, 100_000);
    int sampled = context.size().pick(5, 1_000);
    int requests = context.size().pick(10, 200);
    Duration budget = Duration.ofSeconds(context.size().pick(60, 300));
    BillingClient billing = new BillingClient(context);
    long run = System.currentTimeMillis();
    String prefix = "adm" + run + "-o";
    Instant now = Instant.now();
    JsonNode config = billing.config();
    Period current = Period.current(config);
    Instant to = now.truncatedTo(ChronoUnit.HOURS);
    Instant yearStart = to.minus(Duration.ofDays(365)).truncatedTo(ChronoUnit.DAYS);
    Instant opened = yearStart.minus(Duration.ofDays(1));

    context.progress().line("admin-reads: opening a template organization through intake");
    String template = prefix + "-template";
    billing.postEvents(
        List.of(
            BenchEvents.userCreated(template + "-uc", template, now.minus(Duration.ofDays(34)))));
    billing.awaitCaughtUp();
    long records;
    try (Connection connection = context.dataSource().getConnection()) {
      context.progress().line("admin-reads: %,d organizations, a year of sessions".formatted(orgs));
      execute(
          connection,
          ACCOUNTS,
          prefix,
          ts(opened),
          ts(opened),
          orgs,
          template,
          prefix,
          ts(opened),
          orgs,
          template);
      execute(
          connection,
          SESSIONS,
          prefix,
          prefix,
          prefix,
          ts(yearStart),
          orgs,
          ts(now),
          prefix,
          prefix,
          prefix,
          ts(now),
          ts(now),
          ts(now),
          orgs,
          prefix);
      records =
          seedUsage(context, config, connection, prefix, orgs, sampled, yearStart, current, to);
      context.progress().line("admin-reads: 12 months of invoices");
      for (int months = 12; months > 0; months--) {
        Instant start = current.startMonthsBefore(months);
        Instant end = current.startMonthsBefore(months - 1);
        boolean last = months == 1;
        // numbered 1..N under a series of their own (BENCH-<run and period>-i), gapless as
        // the invoicing workload's check of every series wants
        String series = run + start.toString().substring(0, 7).replace("-", "");
        execute(
            connection,
            INVOICES,
            prefix,
            ts(start),
            ts(end),
            last,
            series,
            ts(end),
            ts(end),
            ts(end),
            last,
            ts(end),
            ts(end),
            orgs,
            prefix,
            ts(start));
      }
      context.progress().line("admin-reads: VACUUM ANALYZE, as autovacuum leaves the tables");
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "VACUUM ANALYZE billing_accounts, billing_subscriptions, billing_sessions,"
                + " billing_session_sizes, billing_usage_records, billing_invoices,"
                + " billing_invoice_lines");
        statement.execute("SELECT brin_summarize_new_values('billing_usage_records_slice_start')");
      }
      // the daily rollup the reports and usage by member read, as the job's every minute keeps
      // it: built from the records seeded (its first run in this zone), then analyzed
      context.progress().line("admin-reads: rolling the usage up (roll-up-usage)");
      billing.runJob("roll-up-usage");
      try (Statement statement = connection.createStatement()) {
        statement.execute("VACUUM ANALYZE billing_usage_daily");
      }
    }
    String size =
        "%,d organizations, a year of sessions and invoices; hourly usage records of the current"
                .formatted(orgs)
            + " period for all, of the year for %,d (%,d records, seeded by SQL), %,d requests"
                .formatted(sampled, records, requests);
    String org = prefix + "1";
    String token = context.adminToken();
    List<Route> routes =
        List.of(
            new Route(
                "GET /api/plugins/billing/admin/dashboard (12 months)",
                () -> checked(billing.get("/admin/dashboard", token), "revenue_by_month")),
            new Route(
                "GET /api/plugins/billing/admin/reports (JSON, current month, by user, a page of"
                    + " %d organizations)".formatted(PAGE),
                () -> checked(billing.get(reportPage(prefix, orgs, "json"), token), "rows")),
            new Route(
                "GET /api/plugins/billing/admin/reports (CSV, current month, by user, a page of"
                    + " %d organizations)".formatted(PAGE),
                () -> csvChecked(billing.getText(reportPage(prefix, orgs, "csv"), token))),
            new Route(
                "GET /api/plugins/billing/usage?org_id= (a team's usage by member, current period)",
                () -> checked(billing.get("/usage?org_id=" + org, token), "by_member")));
    // a report of every organization: what a page is measured against, read whole a few times
    List<Route> wholeReports =
        List.of(
            new Route(
                "GET /api/plugins/billing/admin/reports (JSON, current month, by user, every"
                    + " organization)",
                () -> checked(billing.get("/admin/reports?group_by=user", token), "rows")),
            new Route(
                "GET /api/plugins/billing/admin/reports (CSV, current month, by user, every"
                    + " organization)",
                () ->
                    csvChecked(billing.getText("/admin/reports?group_by=user&format=csv", token))));
    List<BenchRow> rows = new ArrayList<>();
    for (Route route : routes) {
      context.progress().line("admin-reads: %,d × %s".formatted(requests, route.name()));
      rows.add(measure(route, requests, size, budget));
    }
    for (Route route : wholeReports) {
      context.progress().line("admin-reads: %d × %s".formatted(WHOLE_REPORTS, route.name()));
      BenchRow row = measure(route, WHOLE_REPORTS, size, budget);
      rows.add(
          new BenchRow(
              row.workload(),
              row.size()
                  .replace(
                      "%,d requests".formatted(requests),
                      WHOLE_REPORTS + " requests; no target: read a page at a time above"),
              row.time(),
              row.rate(),
              row.unit(),
              row.p50(),
              row.p99(),
              null,
              null,
              null,
              null));
    }
    return rows;
  }

  /**
   * A page of the report by user, in {@code format}, of the {@value #PAGE} organizations after a
   * different one each time (the ids' byte order, as the pages run), so that the requests read
   * pages from all over the organizations rather than one page cached.
   */
  private String reportPage(String prefix, int orgs, String format) {
    int after = 1 + (int) ((pages++ * 7919L) % orgs);
    return "/admin/reports?group_by=user&format=%s&limit=%d&after=%s%d"
        .formatted(format, PAGE, prefix, after);
  }

  /** Fails unless the CSV has a row besides its header. */
  private static void csvChecked(String csv) {
    if (csv.lines().count() < 2) {
      throw new IllegalStateException("the CSV report has no rows: " + csv);
    }
  }

  /** A route measured, and the request that reads it and checks its answer. */
  record Route(String name, Request request) {}

  interface Request {
    void send() throws Exception;
  }

  /** Fails unless {@code answer} has a non-empty {@code field}. */
  static void checked(JsonNode answer, String field) {
    if (answer.path(field).isEmpty()) {
      throw new IllegalStateException("no " + field + " in " + answer);
    }
  }

  /**
   * The route's row: its requests one after the other, after a fifth as many to warm up, within
   * {@code budget} (warm-up included): once it has run out, the requests measured so far make the
   * row (at least one), and its size says how many of {@code requests} they were. A slow route
   * (run E's dashboard, 30 s a request at full size) then costs the run minutes, not hours.
   */
  static BenchRow measure(Route route, int requests, String size, Duration budget)
      throws Exception {
    return measure(route, requests, size, budget, "admin-reads", TARGET);
  }

  /** The same for another workload's routes, under its name and with its target. */
  static BenchRow measure(
      Route route, int requests, String size, Duration budget, String workload, Duration target)
      throws Exception {
    long deadline = System.nanoTime() + budget.toNanos();
    long[] took = new long[requests];
    int measured = 0;
    for (int i = -requests / 5; i < requests; i++) {
      boolean late = System.nanoTime() - deadline > 0;
      if (late && (i < 0 || measured > 0)) {
        if (i < 0) {
          continue; // the warm-up cut short: on to the measured requests
        }
        break;
      }
      long began = System.nanoTime();
      route.request().send();
      if (i >= 0) {
        took[measured++] = System.nanoTime() - began;
      }
    }
    took = Arrays.copyOf(took, measured);
    Arrays.sort(took);
    Duration all = Duration.ofNanos(Arrays.stream(took).sum());
    Duration p99 = UsageReadsWorkload.percentile(took, 99);
    String shown =
        measured == requests
            ? size
            : size
                + "; %,d of the %,d requests measured: the route's %d s budget ran out"
                    .formatted(measured, requests, budget.toSeconds());
    return new BenchRow(
        workload + ": " + route.name() + ", one request at a time",
        shown,
        all,
        measured * 1e9 / Math.max(1, all.toNanos()),
        "requests",
        UsageReadsWorkload.percentile(took, 50),
        p99,
        null,
        null,
        "p99 ≤ %d ms".formatted(target.toMillis()),
        p99.compareTo(target) <= 0);
  }

  /**
   * The usage records, hour by hour as calculate-usage writes them: the sample's from the year's
   * start, every organization's from the current period's; answers how many.
   */
  private static long seedUsage(
      BenchContext context,
      JsonNode config,
      Connection connection,
      String prefix,
      int orgs,
      int sampled,
      Instant yearStart,
      Period current,
      Instant to)
      throws SQLException {
    Instant periodStart = current.startMonthsBefore(0);
    long records = 0;
    connection.setAutoCommit(false);
    try (PreparedStatement hour = connection.prepareStatement(HOUR)) {
      // a day of hours a statement, committed with its run
      for (Instant day = yearStart; day.isBefore(to); day = day.plus(Duration.ofDays(1))) {
        Instant last = day.plus(Duration.ofHours(23));
        if (last.isAfter(to.minus(Duration.ofHours(1)))) {
          last = to.minus(Duration.ofHours(1));
        }
        int of = day.plus(Duration.ofDays(1)).isAfter(periodStart) ? orgs : sampled;
        hour.setString(1, prefix);
        hour.setLong(2, SeededRatingRun.take(connection));
        hour.setTimestamp(3, ts(day));
        hour.setTimestamp(4, ts(last));
        hour.setTimestamp(5, ts(yearStart));
        hour.setInt(6, of);
        hour.setBigDecimal(7, config.at("/computeRates/storage_per_gb_month").decimalValue());
        hour.setString(8, prefix);
        hour.setBigDecimal(9, config.at("/computeRates/cpu_per_core_hour").decimalValue());
        records += hour.executeUpdate();
        connection.commit();
        if (day.equals(yearStart) || day.plus(Duration.ofDays(1)).isAfter(periodStart)) {
          context
              .progress()
              .line("admin-reads: usage records of %s (%,d so far)".formatted(day, records));
        }
      }
    } finally {
      connection.setAutoCommit(true);
    }
    return records;
  }

  private static Timestamp ts(Instant instant) {
    return Timestamp.from(instant);
  }

  /** Runs a statement of several parts with its parameters in order. */
  static void execute(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.execute();
    }
  }
}
