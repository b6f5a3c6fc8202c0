package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a user's reads cost on an account with a year of hourly usage: M requests each of {@code
 * GET /usage}, {@code GET /quota} and the preview of the current period's draft invoice ({@code
 * GET /invoices/{id}}: a draft shows the lines it would have if finalized now), one after the
 * other as that user, p50 and p99 per route. Each route is measured on a second account too, with
 * the same usage in the current period but only from the previous period on, the requests taking
 * turns between the two: the reads are bounded by the period, not by the history, when the two
 * rows match.
 *
 * <p>The accounts are opened through intake. A year of usage cannot come through intake (the max
 * event age refuses events older than 35 days), so it is seeded by SQL as calculate-usage writes
 * it: a cpu (1 core), a memory (2 GB) and a storage (10 GB) record per UTC hour of the history,
 * at the config's rates; the account's opening and its plan's start are moved back to match. The
 * months before the current period are invoiced through the admin invoice route (so, as for a
 * real account, they claimed their usage), and the current period's draft is opened by SQL as
 * generate-invoices opens one: its preview prices this period's usage so far.
 */
final class UsageReadsWorkload implements Workload {

  private static final Duration TARGET = Duration.ofMillis(20);

  private static final String BACKDATE =
      """
      UPDATE billing_accounts SET created_at = ? WHERE user_id = ?;
      UPDATE billing_subscriptions SET started_at = ? WHERE user_id = ?
      """;
  private static final String USAGE =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT a.user_id, r.session_id, r.resource_type, h, h + interval '1 hour', r.unit_seconds,
             r.unit, r.unit_price, a.currency, h + interval '70 minutes', ?
      FROM billing_accounts a
      CROSS JOIN generate_series(?::timestamptz, ?::timestamptz - interval '1 hour',
                                 interval '1 hour') h
      CROSS JOIN (VALUES (?, 'cpu', 3600, 'core-hours', ?::numeric),
                         (?, 'memory', 7200, 'gb-hours', ?::numeric),
                         ('', 'storage', 36000, 'gb-months', ?::numeric))
        AS r(session_id, resource_type, unit_seconds, unit, unit_price)
      WHERE a.user_id = ?
      """;
  private static final String DRAFT =
      """
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    finalize_after, created_at)
      SELECT user_id, ?, ?, currency, 'draft', ?, ? FROM billing_accounts WHERE user_id = ?
      RETURNING id
      """;

  @Override
  public String name() {
    return "usage-reads";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int requests = context.size().pick(100, 1_000);
    BillingClient billing = new BillingClient(context);
    String prefix = "reads" + System.currentTimeMillis();
    Instant now = Instant.now();
    JsonNode config = billing.config();
    Period current = Period.current(config);
    Instant to = now.truncatedTo(ChronoUnit.HOURS);
    List<Account> accounts =
        List.of(
            Account.seed(
                context,
                billing,
                config,
                now,
                prefix + "-year",
                new History("a year", to.minus(Duration.ofDays(365)), to, current, 12)),
            Account.seed(
                context,
                billing,
                config,
                now,
                prefix + "-month",
                new History(
                    "from the previous period on", current.startMonthsBefore(1), to, current, 1)));
    List<BenchRow> rows = new ArrayList<>();
    for (String route : List.of("/usage", "/quota", "/invoices/%d")) {
      context
          .progress()
          .line("usage-reads: %,d × GET %s of each account".formatted(requests, route));
      rows.addAll(measure(billing, accounts, route, requests));
    }
    return rows;
  }

  /**
   * The usage an account is seeded with: an hourly record of each resource from {@code from} to
   * {@code to}, the {@code invoicedMonths} periods before {@code current} invoiced.
   */
  private record History(
      String description, Instant from, Instant to, Period current, int invoicedMonths) {}

  /** An account whose reads are measured, with its history, user token and open draft. */
  private record Account(String token, long draftId, String size) {

    static Account seed(
        BenchContext context,
        BillingClient billing,
        JsonNode config,
        Instant now,
        String userId,
        History history)
        throws Exception {
      context.progress().line("usage-reads: opening " + userId + " through intake");
      billing.postEvents(
          List.of(BenchEvents.userCreated(userId + "-uc", userId, now.minus(Duration.ofDays(34)))));
      billing.awaitCaughtUp();
      Period current = history.current();
      Instant firstInvoiced = current.startMonthsBefore(history.invoicedMonths());
      Instant opened =
          (history.from().isBefore(firstInvoiced) ? history.from() : firstInvoiced)
              .minus(Duration.ofDays(1));
      long records = seedUsage(context, config, userId, opened, history.from(), history.to());
      context
          .progress()
          .line("usage-reads: %,d usage records seeded for %s".formatted(records, userId));
      for (int months = history.invoicedMonths(); months > 0; months--) {
        billing.invoice(
            userId, current.startMonthsBefore(months), current.startMonthsBefore(months - 1));
      }
      long draftId = openDraft(context, config, userId, current, now);
      String token = billing.userToken(userId);
      JsonNode preview = billing.get("/invoices/" + draftId, token);
      if (!preview.path("lines").isArray() || preview.path("lines").isEmpty()) {
        throw new IllegalStateException("the draft's preview shows no lines: " + preview);
      }
      String size =
          "1 account, %,d hourly usage records (%s, seeded by SQL, %d month%s invoiced)"
              .formatted(
                  records,
                  history.description(),
                  history.invoicedMonths(),
                  history.invoicedMonths() == 1 ? "" : "s");
      return new Account(token, draftId, size);
    }
  }

  /**
   * The route's rows of the accounts, the requests taking turns between them (after a fifth as
   * many, unmeasured, to warm up), so that neither is measured on a warmer JVM or database: the
   * time of each row is the sum of its requests' latencies.
   */
  private static List<BenchRow> measure(
      BillingClient billing, List<Account> accounts, String route, int requests) throws Exception {
    long[][] took = new long[accounts.size()][requests];
    for (int i = -requests / 5; i < requests; i++) {
      for (int a = 0; a < accounts.size(); a++) {
        Account account = accounts.get(a);
        long began = System.nanoTime();
        billing.get(route.formatted(account.draftId()), account.token());
        if (i >= 0) {
          took[a][i] = System.nanoTime() - began;
        }
      }
    }
    String shown = route.startsWith("/invoices/") ? "/invoices/{id} (draft preview)" : route;
    List<BenchRow> rows = new ArrayList<>();
    for (int a = 0; a < accounts.size(); a++) {
      long[] sorted = took[a].clone();
      Arrays.sort(sorted);
      Duration all = Duration.ofNanos(Arrays.stream(sorted).sum());
      Duration p99 = percentile(sorted, 99);
      rows.add(
          new BenchRow(
              "usage-reads: GET /api/plugins/billing" + shown + ", one request at a time",
              "%s, %,d requests".formatted(accounts.get(a).size(), requests),
              all,
              requests * 1e9 / Math.max(1, all.toNanos()),
              "requests",
              percentile(sorted, 50),
              p99,
              null,
              null,
              "p99 ≤ 20 ms",
              p99.compareTo(TARGET) <= 0));
    }
    return rows;
  }

  /** The nearest-rank percentile of sorted durations in nanoseconds. */
  static Duration percentile(long[] sortedNanos, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sortedNanos.length);
    return Duration.ofNanos(sortedNanos[Math.max(0, rank - 1)]);
  }

  private static long seedUsage(
      BenchContext context,
      JsonNode config,
      String userId,
      Instant opened,
      Instant from,
      Instant to)
      throws SQLException {
    try (Connection connection = context.dataSource().getConnection()) {
      try (PreparedStatement backdate = connection.prepareStatement(BACKDATE)) {
        backdate.setTimestamp(1, Timestamp.from(opened));
        backdate.setString(2, userId);
        backdate.setTimestamp(3, Timestamp.from(opened));
        backdate.setString(4, userId);
        backdate.execute();
      }
      connection.setAutoCommit(false);
      try (PreparedStatement usage = connection.prepareStatement(USAGE)) {
        String session = userId + "-s";
        usage.setLong(1, SeededRatingRun.take(connection));
        usage.setTimestamp(2, Timestamp.from(from));
        usage.setTimestamp(3, Timestamp.from(to));
        usage.setString(4, session);
        usage.setBigDecimal(5, rate(config, "cpu_per_core_hour"));
        usage.setString(6, session);
        usage.setBigDecimal(7, rate(config, "memory_per_gb_hour"));
        usage.setBigDecimal(8, rate(config, "storage_per_gb_month"));
        usage.setString(9, userId);
        int records = usage.executeUpdate();
        connection.commit();
        return records;
      }
    }
  }

  private static BigDecimal rate(JsonNode config, String name) {
    return config.path("computeRates").path(name).decimalValue();
  }

  /** The billing period now is in, by the config's invoice day and time zone. */
  record Period(LocalDate startDay, ZoneId zone) {

    static Period current(JsonNode config) {
      ZoneId zone = ZoneId.of(config.path("billingTimeZone").asText("UTC"));
      LocalDate today = LocalDate.now(zone);
      LocalDate startDay = today.withDayOfMonth(config.path("invoiceDay").asInt(1));
      return new Period(startDay.isAfter(today) ? startDay.minusMonths(1) : startDay, zone);
    }

    /** The start of the period {@code months} before this one (0: this one's). */
    Instant startMonthsBefore(int months) {
      return startDay.minusMonths(months).atStartOfDay(zone).toInstant();
    }
  }

  /** The current period's draft, as generate-invoices opens one; answers its id. */
  private static long openDraft(
      BenchContext context, JsonNode config, String userId, Period current, Instant now)
      throws SQLException {
    Instant start = current.startMonthsBefore(0);
    Instant end = current.startMonthsBefore(-1);
    Duration grace = Duration.ofMinutes(config.path("invoiceGraceMinutes").asLong(60));
    try (Connection connection = context.dataSource().getConnection();
        PreparedStatement draft = connection.prepareStatement(DRAFT)) {
      draft.setTimestamp(1, Timestamp.from(start));
      draft.setTimestamp(2, Timestamp.from(end));
      draft.setTimestamp(3, Timestamp.from(end.plus(grace)));
      draft.setTimestamp(4, Timestamp.from(now));
      draft.setString(5, userId);
      try (ResultSet rows = draft.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
