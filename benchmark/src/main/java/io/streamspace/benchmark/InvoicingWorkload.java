package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
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
 * finalizes every draft that is due), for N accounts with a month of hourly usage and a credit
 * each, on the system clock.
 *
 * <p>What is not measured is seeded the fastest honest way. The accounts are opened through
 * intake ({@code user.created} 34 days ago, within the max event age). A month of rating cannot
 * go through calculate-usage: it rates at most 1,000,000 hours a run (README, "Bounded runs"),
 * 72,000,000 hours at full size. So the month is written by SQL as calculate-usage writes it:
 * one storage record (10 GB, the config's storage rate) per account and UTC hour of the period,
 * and the credits (0.50 in the account's currency) as the admin credit route stores them. The
 * period is made to have just ended: {@code invoiceDay} is set to today's day of the month (at
 * most 28) and {@code invoiceGraceMinutes} to 0 while the workload runs, then put back.
 */
final class InvoicingWorkload implements Workload {

  private static final Duration TARGET = Duration.ofSeconds(60);
  private static final BigDecimal CREDIT = new BigDecimal("0.50");
  private static final int SEED_CHUNK = 5_000;

  // one storage record per account and hour of the period, shaped as calculate-usage writes it
  // (run 0: before every rating run, so settled for any invoice)
  private static final String USAGE =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT a.user_id, '', 'storage', h, h + interval '1 hour', 36000, 'gb-months', ?,
             a.currency, h + interval '70 minutes', 0
      FROM generate_series(?, ?) i
      JOIN billing_accounts a ON a.user_id = ?::text || i
      CROSS JOIN generate_series(?::timestamptz, ?::timestamptz - interval '1 hour',
                                 interval '1 hour') h
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

  @Override
  public String name() {
    return "invoicing";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int accounts = context.size().pick(1_000, 100_000);
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
    long hours = Duration.between(start, end).toHours();

    context.progress().line("invoicing: opening %,d accounts through intake".formatted(accounts));
    List<ObjectNode> users = new ArrayList<>(accounts);
    for (int i = 0; i < accounts; i++) {
      users.add(
          BenchEvents.userCreated(prefix + "uc" + i, prefix + i, now.minus(Duration.ofDays(34))));
    }
    billing.postEvents(users);
    billing.awaitCaughtUp();
    BigDecimal storageRate = config.at("/computeRates/storage_per_gb_month").decimalValue();
    seed(context, accounts, prefix, start, end, storageRate);

    Map<String, Object> period = Map.of("invoiceDay", invoiceDay, "invoiceGraceMinutes", 0);
    Duration job;
    String message;
    try (ConfigPatch patched = ConfigPatch.apply(billing, period)) {
      context.progress().line("invoicing: generate-invoices for [%s, %s)".formatted(start, end));
      long began = System.nanoTime();
      message = billing.runJob("generate-invoices").path("message").asText();
      job = Duration.ofNanos(System.nanoTime() - began);
    }
    context.progress().line("invoicing: " + message);
    check(context.dataSource(), prefix, accounts, start, end);
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
            null,
            null,
            "≤ 60 s",
            job.compareTo(TARGET) <= 0));
  }

  private static void seed(
      BenchContext context,
      int accounts,
      String prefix,
      Instant start,
      Instant end,
      BigDecimal storageRate)
      throws SQLException {
    try (Connection connection = context.dataSource().getConnection()) {
      try (PreparedStatement usage = connection.prepareStatement(USAGE)) {
        for (int from = 0; from < accounts; from += SEED_CHUNK) {
          int to = Math.min(accounts, from + SEED_CHUNK) - 1;
          usage.setBigDecimal(1, storageRate);
          usage.setInt(2, from);
          usage.setInt(3, to);
          usage.setString(4, prefix);
          usage.setTimestamp(5, Timestamp.from(start));
          usage.setTimestamp(6, Timestamp.from(end));
          usage.executeUpdate();
          context
              .progress()
              .line("invoicing: a month of usage seeded for %,d accounts".formatted(to + 1));
        }
      }
      try (PreparedStatement credits = connection.prepareStatement(CREDITS)) {
        credits.setBigDecimal(1, CREDIT);
        credits.setBigDecimal(2, CREDIT);
        credits.setTimestamp(3, Timestamp.from(start));
        credits.setString(4, prefix + "%");
        credits.executeUpdate();
      }
      try (Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE billing_usage_records, billing_credits, billing_accounts");
      }
    }
  }

  /** Fails unless every account has one finalized invoice with its credit, numbers gapless. */
  private static void check(
      DataSource dataSource, String prefix, int accounts, Instant start, Instant end)
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
              || credited.compareTo(CREDIT.multiply(BigDecimal.valueOf(accounts))) != 0) {
            throw new IllegalStateException(
                ("%d invoices for %d accounts, %d finalized, %s credited: expected one finalized"
                        + " invoice per account (%d), each with its %s credit")
                    .formatted(
                        rows.getLong(1),
                        rows.getLong(3),
                        rows.getLong(2),
                        credited,
                        accounts,
                        CREDIT));
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
