package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * generate-invoices with its finalization, through its real route ({@code POST
 * /api/plugins/billing/jobs/generate-invoices}: it opens a draft for every account, then
 * finalizes every draft that is due), for N accounts with a month of hourly usage (the period's
 * last day at size small, a smoke run) and a credit each, on the system clock.
 *
 * <p>What is not measured is seeded the fastest honest way. The accounts are opened through
 * intake ({@code user.created} 34 days ago, within the max event age). A month of rating cannot go
 * through calculate-usage: it rates at most 1,000,000 hours a run (docs/billing-rules.md, "Rating:
 * when usage becomes records"), 72,000,000 hours at full size. So the month is written by SQL as
 * calculate-usage writes it: one storage record (10 GB, the config's storage rate) per account and
 * UTC hour of the period, and the credits (0.50 in the account's currency; a cent when a short
 * history costs less) as the admin credit route stores them. Each seeding statement is a rating run
 * of its own, as calculate-usage's transactions are (the runs' shared lock, then a number of {@code
 * billing_rating_runs}): a record stamped below the daily rollup's watermark would be read by
 * neither the rollup nor its tail. The period is made to have just ended: {@code invoiceDay} is set
 * to today's day of the month (at most 28) and {@code invoiceGraceMinutes} to 0 while the workload
 * runs, then put back.
 *
 * <p>Before generate-invoices is timed, the roll-up-usage job is run until the daily usage rollup
 * (V36) holds every seeded record, as on a running platform, where the job rolls up every
 * minute's rating within the minute: the invoicing row measures generate-invoices whose usage
 * claims read the period's whole days from the rollup, not its records. Rolling up is work of
 * the rating's side, paid a minute's records at a time on a running platform; here a month is
 * rolled up at once, and the workload's second row gives the time of those runs of the job (the
 * scheduled one, every minute, may already have rolled up part of the records while they were
 * seeded).
 *
 * <p>The baseline, in the same run on the same database: one {@code INSERT … SELECT} that reads
 * the same usage records and credits and writes as many lines as the run wrote (a usage line per
 * account, resource and unit price, a credit line per credit: the default billing mode, usage,
 * has no plan fee line) into a copy of {@code billing_invoice_lines}, logged as the real table
 * is (same columns, key and defaults; no foreign key to invoices, which it has none of). The
 * workload fails unless the baseline wrote exactly as many lines as generate-invoices did.
 *
 * <p>{@code bench --scale} runs it at other sizes with a shorter history: N accounts, each with
 * its usage only in the period's last hours.
 *
 * <p>As the {@code what-if} workload ({@link #whatIf()}) it seeds and invoices the same way, then
 * asks {@code POST /api/plugins/billing/admin/what-if} over the period generate-invoices just
 * invoiced, with storage 10 % dearer (every seeded account pays more: the answer is checked for
 * that), reading the streamed answer whole, and measures it against generate-invoices on the same
 * data: the target is ≤ 2 × its time. The what-if answers for every organization of the period,
 * generate-invoices invoices only those not invoiced yet (in a full run the invoicing workload's
 * accounts were invoiced before): the baseline is generate-invoices' time per invoice it finalized
 * times the organizations the what-if answered for (the same figure when run alone, {@code --only
 * what-if}). Its one row replaces the invoicing rows.
 *
 * <p>One class because its seeding, its timed run and the checks of its own results share the
 * accounts, period and config it set up (and puts back): split, each part would carry that state
 * and the order it must be used in.
 */
final class InvoicingWorkload implements Workload {

  private static final Duration TARGET = Duration.ofSeconds(60);
  private static final double TARGET_RATIO = 5;
  private static final BigDecimal CREDIT = new BigDecimal("0.50");
  // for a short history, used up whole too: a day of 10 GB is 10 × 24 / 730 GB-months, 0.03 at
  // the default 0.10 a GB-month, less than CREDIT
  private static final BigDecimal SMALL_CREDIT = new BigDecimal("0.01");
  private static final BigDecimal GB_STORED = BigDecimal.TEN;
  private static final BigDecimal HOURS_A_MONTH = new BigDecimal("730");
  private static final int SEED_CHUNK = 5_000;
  private static final int OPEN_CHUNK = 100_000;

  // the rollup's zone and watermark: whether it holds every run up to the seeded ones
  private static final String ROLLED_UP =
      "SELECT time_zone = ? AND rolled_up_to >= ? FROM billing_usage_rollup";
  // one storage record per account and hour of the period, shaped as calculate-usage writes it,
  // stamped with the statement's rating run
  private static final String USAGE =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT a.user_id, '', 'storage', h, h + interval '1 hour', 36000, 'gb-months', ?,
             a.currency, h + interval '70 minutes', ?
      FROM generate_series(?, ?) i
      JOIN billing_accounts a ON a.user_id = ?::text || i
      CROSS JOIN generate_series(?::timestamptz, ?::timestamptz - interval '1 hour',
                                 interval '1 hour') h
      """;
  // the lines generate-invoices wrote for the workload's invoices, for the baseline to match
  private static final String LINES_WRITTEN =
      """
      SELECT count(*) FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
      WHERE i.user_id LIKE ? AND i.period_start = ? AND i.period_end = ?
      """;
  private static final String BASELINE_TABLE =
      """
      DROP TABLE IF EXISTS bench_invoice_lines_copy;
      CREATE TABLE bench_invoice_lines_copy (LIKE billing_invoice_lines INCLUDING ALL)
      """;
  // The baseline: as many lines as the run writes, from the same rows, in one statement. Each
  // account's lines are numbered as an invoice's are (its invoice id here: its rank among the
  // workload's accounts); usage quantities in hours, priced and rounded to the cent.
  private static final String BASELINE =
      """
      INSERT INTO bench_invoice_lines_copy (invoice_id, line_no, kind, description,
          resource_type, quantity, unit, unit_price, amount, period_start, period_end)
      WITH accounts AS (
        SELECT user_id, row_number() OVER (ORDER BY user_id) AS invoice_id
        FROM billing_accounts WHERE user_id LIKE ?),
      lines AS (
        SELECT a.invoice_id, 1 AS part,
               row_number() OVER (PARTITION BY a.invoice_id
                                  ORDER BY u.resource_type, u.unit_price) AS item,
               'usage' AS kind, 'usage: ' || u.resource_type AS description, u.resource_type,
               u.quantity, u.unit, u.unit_price, round(u.quantity * u.unit_price, 2) AS amount,
               ?::timestamptz AS period_start, ?::timestamptz AS period_end
        FROM accounts a
        JOIN (SELECT user_id, resource_type, unit, unit_price,
                     sum(unit_seconds) / 3600 AS quantity
              FROM billing_usage_records
              WHERE user_id LIKE ? AND slice_start >= ? AND slice_start < ?
              GROUP BY user_id, resource_type, unit, unit_price) u ON u.user_id = a.user_id
        UNION ALL
        SELECT a.invoice_id, 2, c.id, 'credit', 'Credit: ' || c.reason, NULL, NULL, NULL, NULL,
               -c.amount, ?, ?
        FROM accounts a JOIN billing_credits c ON c.user_id = a.user_id)
      SELECT invoice_id, row_number() OVER (PARTITION BY invoice_id ORDER BY part, item),
             kind, description, resource_type, quantity, unit, unit_price, amount, period_start,
             period_end
      FROM lines
      """;
  private static final String CREDITS =
      """
      INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                   granted_at)
      SELECT user_id, ?, ?, currency, 'benchmark credit', 'bench', ?
      FROM billing_accounts WHERE user_id LIKE ?
      """;
  private static final String INVOICED =
      """
      SELECT count(*), count(*) FILTER (WHERE status IN ('sent', 'paid')),
             count(DISTINCT user_id),
             (SELECT coalesce(sum(c.amount), 0) FROM billing_credit_applications c
              JOIN billing_invoices j ON j.id = c.invoice_id WHERE j.user_id LIKE ?)
      FROM billing_invoices WHERE user_id LIKE ? AND period_start = ? AND period_end = ?
      """;
  // the numbers of each year are 1..n, n of them: none skipped, none twice
  private static final String GAPS =
      """
      SELECT count(*) FROM (
        SELECT split_part(invoice_number, '-', 2) AS year,
               count(*) AS issued, count(DISTINCT invoice_number) AS distinct_numbers,
               min(split_part(invoice_number, '-', 3)::bigint) AS first,
               max(split_part(invoice_number, '-', 3)::bigint) AS last
        FROM billing_invoices WHERE invoice_number IS NOT NULL GROUP BY 1) y
      WHERE first <> 1 OR last <> issued OR distinct_numbers <> issued
      """;

  private static final double WHAT_IF_TARGET_RATIO = 2;
  // more hours than any period has: usage in every hour of it
  private static final int MONTH = 31 * 24;
  // the invoices of the period finalized so far, before and after generate-invoices
  private static final String FINALIZED =
      """
      SELECT count(*) FROM billing_invoices
      WHERE period_start = ? AND period_end = ? AND status <> 'draft' AND status <> 'void'
      """;

  private final Integer accounts;
  private final Integer usageHours;
  private final boolean whatIf;

  /**
   * The benchmark's row: 1,000 or 100,000 accounts by size, usage in the period's last day or
   * every hour of it.
   */
  InvoicingWorkload() {
    this(null, null);
  }

  /**
   * @param accounts how many accounts, whatever the size; null: by size
   * @param usageHours how many of the period's last hours have usage; null: by size, the last
   *     day at small (seeding a month of 1,000 accounts would take most of a smoke run's time),
   *     every hour at full
   */
  InvoicingWorkload(Integer accounts, Integer usageHours) {
    this(accounts, usageHours, false);
  }

  private InvoicingWorkload(Integer accounts, Integer usageHours, boolean whatIf) {
    this.accounts = accounts;
    this.usageHours = usageHours;
    this.whatIf = whatIf;
  }

  /** The what-if workload: sized as the benchmark's invoicing row (class comment). */
  static InvoicingWorkload whatIf() {
    return new InvoicingWorkload(null, null, true);
  }

  @Override
  public String name() {
    return whatIf ? "what-if" : "invoicing";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int accounts = this.accounts != null ? this.accounts : context.size().pick(1_000, 100_000);
    BillingClient billing = new BillingClient(context);
    String prefix = "inv" + System.currentTimeMillis() + "-u";
    Instant now = Instant.now();
    JsonNode config = billing.config();
    ZoneId zone = ZoneId.of(config.path("billingTimeZone").asText("UTC"));
    LocalDate today = LocalDate.now(zone);
    int invoiceDay = Math.min(28, today.getDayOfMonth());
    LocalDate endDay = today.withDayOfMonth(invoiceDay);
    Instant end = endDay.atStartOfDay(zone).toInstant();
    Instant start = endDay.minusMonths(1).atStartOfDay(zone).toInstant();
    long periodHours = Duration.between(start, end).toHours();
    long hours =
        Math.min(usageHours == null ? context.size().pick(24, MONTH) : usageHours, periodHours);
    Instant usageFrom = end.minus(Duration.ofHours(hours));

    context.progress().line("invoicing: opening %,d accounts through intake".formatted(accounts));
    // in chunks, so that a million accounts' events are never all in memory at once
    for (int from = 0; from < accounts; from += OPEN_CHUNK) {
      List<ObjectNode> users = new ArrayList<>(OPEN_CHUNK);
      for (int i = from; i < Math.min(accounts, from + OPEN_CHUNK); i++) {
        users.add(
            BenchEvents.userCreated(prefix + "uc" + i, prefix + i, now.minus(Duration.ofDays(34))));
      }
      billing.postEvents(users);
    }
    billing.awaitCaughtUp();
    BigDecimal storageRate = config.at("/computeRates/storage_per_gb_month").decimalValue();
    BigDecimal credit = creditBelow(storageRate, hours);
    long lastRun = seed(context, accounts, prefix, usageFrom, end, start, storageRate, credit);
    context.progress().line("invoicing: rolling the seeded usage up (roll-up-usage)");
    Duration rollUp = rollUp(context, billing, zone, lastRun);

    Map<String, Object> period = Map.of("invoiceDay", invoiceDay, "invoiceGraceMinutes", 0);
    Duration job;
    String message;
    BenchRow whatIfRow = null;
    try (ConfigPatch patched = ConfigPatch.apply(billing, period)) {
      context.progress().line("invoicing: generate-invoices for [%s, %s)".formatted(start, end));
      long finalizedBefore = finalized(context.dataSource(), start, end);
      long began = System.nanoTime();
      message = billing.runJob("generate-invoices").path("message").asText();
      job = Duration.ofNanos(System.nanoTime() - began);
      if (whatIf) {
        long invoiced = finalized(context.dataSource(), start, end) - finalizedBefore;
        whatIfRow =
            whatIf(context, billing, accounts, hours, start, end, storageRate, job, invoiced);
      }
    }
    context.progress().line("invoicing: " + message);
    check(context.dataSource(), prefix, accounts, start, end, credit);
    if (whatIfRow != null) {
      return List.of(whatIfRow);
    }
    long lines = linesWritten(context.dataSource(), prefix, start, end);
    context.progress().line("invoicing: baseline INSERT … SELECT of %,d lines".formatted(lines));
    Duration baseline = baseline(context.dataSource(), prefix, lines, start, end);
    double ratio = (double) job.toNanos() / Math.max(1, baseline.toNanos());
    return List.of(
        new BenchRow(
            "invoicing: generate-invoices + finalization (POST .../jobs/generate-invoices)",
            ("%,d accounts × %,d hourly storage records, a credit each"
                    + " (usage and credits seeded by SQL)")
                .formatted(accounts, hours),
            job,
            accounts * 1e9 / Math.max(1, job.toNanos()),
            "invoices",
            null,
            null,
            ("one INSERT … SELECT of as many lines (%,d) from the same records and credits into a"
                    + " logged copy of billing_invoice_lines")
                .formatted(lines),
            baseline,
            "≤ 60 s and ≤ 5 × the INSERT … SELECT",
            job.compareTo(TARGET) <= 0 && ratio <= TARGET_RATIO),
        new BenchRow(
            "invoicing: roll-up-usage of the seeded usage before it (POST .../jobs/roll-up-usage;"
                + " the rating's side, a minute's records a run on a running platform)",
            "%,d accounts × %,d hourly storage records, rolled up at once"
                .formatted(accounts, hours),
            rollUp,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null));
  }

  /**
   * The what-if over the period, timed, its answer checked: every organization of the period
   * answered for, each seeded one paying more; its row against generate-invoices' {@code job}
   * time per invoice it finalized ({@code invoiced}), times the organizations answered.
   */
  private static BenchRow whatIf(
      BenchContext context,
      BillingClient billing,
      int accounts,
      long hours,
      Instant start,
      Instant end,
      BigDecimal storageRate,
      Duration job,
      long invoiced)
      throws Exception {
    BigDecimal dearer = storageRate.multiply(new BigDecimal("1.1"));
    Map<String, Object> body =
        Map.of(
            "period_start",
            start.toString(),
            "period_end",
            end.toString(),
            "rates",
            Map.of("storage_per_gb_month", dearer));
    context
        .progress()
        .line("what-if: storage at %s a GB-month instead of %s".formatted(dearer, storageRate));
    long began = System.nanoTime();
    JsonNode answer = billing.whatIf(body);
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    long answered = answer.path("accounts").size();
    long more = answer.at("/distribution/more").asLong();
    if (answered < accounts || more < accounts || invoiced < accounts) {
      throw new IllegalStateException(
          ("the what-if answered for %,d organizations, %,d paying more; generate-invoices"
                  + " finalized %,d invoices: expected at least %,d each")
              .formatted(answered, more, invoiced, accounts));
    }
    Duration baseline = job.multipliedBy(answered).dividedBy(invoiced);
    double ratio = (double) took.toNanos() / Math.max(1, baseline.toNanos());
    context
        .progress()
        .line(
            "what-if: %,d organizations in %s; generate-invoices %,d invoices in %s; ratio %.2f"
                .formatted(answered, took, invoiced, job, ratio));
    return new BenchRow(
        "what-if: POST .../admin/what-if, storage 10 % dearer, over the period just invoiced"
            + " (streamed JSON, read whole)",
        ("%,d organizations answered, %,d accounts × %,d hourly storage records seeded")
            .formatted(answered, accounts, hours),
        took,
        answered * 1e9 / Math.max(1, took.toNanos()),
        "organizations",
        null,
        null,
        ("generate-invoices + finalization of the same period and data, this run: %s for %,d"
                + " invoices, per invoice × the organizations answered")
            .formatted(BenchTable.time(job), invoiced),
        baseline,
        "≤ 2 × generate-invoices",
        ratio <= WHAT_IF_TARGET_RATIO);
  }

  private static long finalized(DataSource dataSource, Instant start, Instant end)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(FINALIZED)) {
      count.setTimestamp(1, Timestamp.from(start));
      count.setTimestamp(2, Timestamp.from(end));
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /**
   * Each account's credit: {@link #CREDIT}, or a cent when {@code hours} of 10 GB cost less, so
   * that the credit is applied whole either way.
   */
  static BigDecimal creditBelow(BigDecimal storageRatePerGbMonth, long hours) {
    BigDecimal usage =
        storageRatePerGbMonth
            .multiply(GB_STORED)
            .multiply(BigDecimal.valueOf(hours))
            .divide(HOURS_A_MONTH, 2, RoundingMode.DOWN);
    return usage.compareTo(CREDIT) >= 0 ? CREDIT : SMALL_CREDIT;
  }

  private static long linesWritten(DataSource dataSource, String prefix, Instant start, Instant end)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(LINES_WRITTEN)) {
      count.setString(1, prefix + "%");
      count.setTimestamp(2, Timestamp.from(start));
      count.setTimestamp(3, Timestamp.from(end));
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /**
   * The baseline INSERT … SELECT into a fresh copy of the lines table, timed; fails unless it
   * wrote {@code lines} lines, as many as the run.
   */
  private static Duration baseline(
      DataSource dataSource, String prefix, long lines, Instant start, Instant end)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(BASELINE_TABLE);
      }
      try (PreparedStatement insert = connection.prepareStatement(BASELINE)) {
        Timestamp from = Timestamp.from(start);
        Timestamp to = Timestamp.from(end);
        Object[] values = {prefix + "%", from, to, prefix + "%", from, to, from, to};
        for (int i = 0; i < values.length; i++) {
          insert.setObject(i + 1, values[i]);
        }
        long began = System.nanoTime();
        int written = insert.executeUpdate();
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        if (written != lines) {
          throw new IllegalStateException(
              "the baseline wrote %,d lines, generate-invoices %,d".formatted(written, lines));
        }
        return took;
      }
    }
  }

  /** Seeds the usage and credits; answers the last rating run the usage was stamped with. */
  private static long seed(
      BenchContext context,
      int accounts,
      String prefix,
      Instant usageFrom,
      Instant end,
      Instant periodStart,
      BigDecimal storageRate,
      BigDecimal credit)
      throws SQLException {
    long lastRun = 0;
    try (Connection connection = context.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement usage = connection.prepareStatement(USAGE)) {
        for (int from = 0; from < accounts; from += SEED_CHUNK) {
          int to = Math.min(accounts, from + SEED_CHUNK) - 1;
          lastRun = SeededRatingRun.take(connection);
          usage.setBigDecimal(1, storageRate);
          usage.setLong(2, lastRun);
          usage.setInt(3, from);
          usage.setInt(4, to);
          usage.setString(5, prefix);
          usage.setTimestamp(6, Timestamp.from(usageFrom));
          usage.setTimestamp(7, Timestamp.from(end));
          usage.executeUpdate();
          connection.commit();
          context
              .progress()
              .line("invoicing: the period's usage seeded for %,d accounts".formatted(to + 1));
        }
      }
      connection.setAutoCommit(true);
      try (PreparedStatement credits = connection.prepareStatement(CREDITS)) {
        credits.setBigDecimal(1, credit);
        credits.setBigDecimal(2, credit);
        credits.setTimestamp(3, Timestamp.from(periodStart));
        credits.setString(4, prefix + "%");
        credits.executeUpdate();
      }
      try (Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE billing_usage_records, billing_credits, billing_accounts");
      }
    }
    return lastRun;
  }

  /**
   * Runs roll-up-usage until the daily rollup is of the billing zone and holds every run up to
   * {@code lastRun} (a run of the job skips while a rating run is in flight); answers the time
   * those runs took, and analyzes the rollup as autovacuum would.
   */
  private static Duration rollUp(
      BenchContext context, BillingClient billing, ZoneId zone, long lastRun) throws Exception {
    Duration took = Duration.ZERO;
    for (int attempt = 0; !rolledUp(context.dataSource(), zone, lastRun); attempt++) {
      if (attempt == 20) {
        throw new IllegalStateException("roll-up-usage did not roll the seeded usage up");
      }
      long began = System.nanoTime();
      String message = billing.runJob("roll-up-usage").path("message").asText();
      took = took.plusNanos(System.nanoTime() - began);
      context.progress().line("invoicing: roll-up-usage: " + message);
    }
    try (Connection connection = context.dataSource().getConnection();
        Statement analyze = connection.createStatement()) {
      analyze.execute("ANALYZE billing_usage_daily");
    }
    return took;
  }

  private static boolean rolledUp(DataSource dataSource, ZoneId zone, long lastRun)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement rolled = connection.prepareStatement(ROLLED_UP)) {
      rolled.setString(1, zone.getId());
      rolled.setLong(2, lastRun);
      try (ResultSet rs = rolled.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** Fails unless every account has one finalized invoice with its credit, numbers gapless. */
  private static void check(
      DataSource dataSource,
      String prefix,
      int accounts,
      Instant start,
      Instant end,
      BigDecimal credit)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement invoiced = connection.prepareStatement(INVOICED)) {
        invoiced.setString(1, prefix + "%");
        invoiced.setString(2, prefix + "%");
        invoiced.setTimestamp(3, Timestamp.from(start));
        invoiced.setTimestamp(4, Timestamp.from(end));
        try (ResultSet rows = invoiced.executeQuery()) {
          rows.next();
          BigDecimal credited = rows.getBigDecimal(4);
          if (rows.getLong(1) != accounts
              || rows.getLong(2) != accounts
              || rows.getLong(3) != accounts
              || credited.compareTo(credit.multiply(BigDecimal.valueOf(accounts))) != 0) {
            throw new IllegalStateException(
                ("%d invoices for %d accounts, %d finalized, %s credited: expected one finalized"
                        + " invoice per account (%d), each with its %s credit")
                    .formatted(
                        rows.getLong(1),
                        rows.getLong(3),
                        rows.getLong(2),
                        credited,
                        accounts,
                        credit));
          }
        }
      }
      try (Statement gaps = connection.createStatement();
          ResultSet rows = gaps.executeQuery(GAPS)) {
        rows.next();
        if (rows.getLong(1) != 0) {
          throw new IllegalStateException("invoice numbers have gaps or repeats in some year");
        }
      }
    }
  }
}
