package io.streamspace.billing.reports;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.jobs.RollUpUsageJob;
import io.streamspace.billing.rating.MemberSum;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daily rollup answers every report grouping and usage by member exactly as the records do:
 * random usage in several rating runs (late records among them), rolled up now and then, voids
 * re-stamping records before and after a roll-up, ranges at the zone's midnights and between
 * them, in two billing zones (one with a daylight saving change in the range), and the rollup
 * rebuilt when the zone changes. The reference is the records-only statement each grouping had
 * before the rollup ({@link #REFERENCE}), read through the same row mapping.
 */
class UsageRollupEquivalenceTest {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York"); // DST on 2026-03-08
  private static final ZoneId SAIGON = ZoneId.of("Asia/Ho_Chi_Minh"); // UTC+7, no DST

  private static final String MEMBER_JOIN =
      "LEFT JOIN billing_sessions s ON r.session_id <> '' AND s.session_id = r.session_id";

  /** The records-only statements: each grouping's before the rollup. */
  private static final Map<ReportGrouping, NamedSql> REFERENCE =
      Map.of(
          ReportGrouping.USER, reference("r.user_id", "NULL::text", ""),
          ReportGrouping.RESOURCE, reference("''", "NULL::text", ""),
          ReportGrouping.DAY,
              reference(
                  "to_char(r.slice_start AT TIME ZONE :zone, 'YYYY-MM-DD')", "NULL::text", ""),
          ReportGrouping.PLAN, ReportGrouping.PLAN.sql(),
          ReportGrouping.MEMBER, reference("r.user_id", "s.user_id", MEMBER_JOIN));

  /** Usage by member from the records only, as MemberUsageRepository read it before. */
  private static final NamedSql MEMBER_SUMS_REFERENCE =
      NamedSql.of(
          """
          SELECT s.user_id AS member_id, %s
          FROM billing_usage_records r
          LEFT JOIN billing_sessions s ON r.session_id <> '' AND s.session_id = r.session_id
          WHERE r.user_id = :user_id AND r.slice_start >= :from AND r.slice_start < :to
          GROUP BY %2$s, s.user_id
          ORDER BY %2$s, s.user_id
          """
              .formatted(UsageRecordRepository.RECORDS_SUMMED, UsageRecordRepository.LINE));

  private static final List<String> ACCOUNTS = List.of("acme", "beta", "gamma");

  private final BillingHarness billing = new BillingHarness(at("2026-04-02T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();
  // steps of 30 records: a run of rate(40) is a step of its own, so each roll-up of several runs
  // goes in several steps, and every check after it reads a rollup built in steps
  private final List<Duration> pauses = new ArrayList<>();
  private final UsageRollup rollup = new UsageRollup(dataSource, 30, pauses::add);
  private final UsageReportQuery throughRollup = new UsageReportQuery(dataSource);
  private final UsageReportQuery fromRecords = new UsageReportQuery(dataSource, REFERENCE::get);
  private final MemberUsageRepository members = new MemberUsageRepository(dataSource);
  private final Random random = new Random(27);

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void everyGroupingAndUsageByMemberAnswerThroughTheRollupAsTheRecordsDo() throws Exception {
    seedSessions();
    int checks = 0;
    int steps = 0;
    for (int run = 1; run <= 9; run++) {
      rate(40);
      if (run % 3 == 2) {
        steps += rollup.rollUp(NEW_YORK).steps();
      }
      if (run == 4) {
        // acme's invoice voided: its records up to 03-10 get a fresh run, after a roll-up that
        // counted most of them and before one that has not
        voidRestamp("acme", "2026-03-10T00:00:00Z");
      }
      if (run == 7) {
        voidRestamp("beta", "2026-03-20T00:00:00Z"); // some re-stamped a second time
        voidRestamp("acme", "2026-03-31T00:00:00Z");
      }
      checks += compareAll(NEW_YORK);
    }
    assertTrue(
        (long)
                value(
                    "SELECT count(*) FROM billing_usage_records WHERE rating_run >"
                        + " (SELECT rolled_up_to FROM billing_usage_rollup)")
            > 0,
        "the last checks read a tail of records rated after the watermark");
    steps += rollup.rollUp(NEW_YORK).steps();
    // the first roll-up builds the rollup (one step); runs 3-5 and 6-8, each of 40 records and
    // the voids' runs among them, take a step each at least; run 9 one: at least 1 + 3 + 3 + 1
    assertTrue(steps >= 8, steps + " steps");
    assertEquals(steps - 4, pauses.size(), "a pause between two steps of a roll-up");
    checks += compareAll(NEW_YORK);
    checks += compareAll(SAIGON); // the rollup is New York's: the records only
    UsageRollup.Outcome rebuilt = rollup.rollUp(SAIGON);
    assertTrue(rebuilt.rebuilt(), "a change of zone rebuilds the rollup");
    checks += compareAll(SAIGON);
    assertEquals(
        (long) value("SELECT count(*) FROM billing_usage_records"),
        ((Number) value("SELECT sum(records) FROM billing_usage_daily")).longValue(),
        "every record counted once in the rollup, none twice");
    assertTrue(checks > 100, "compared " + checks + " reports");
  }

  /**
   * One cpu record of 7,200 core-seconds (2 core-hours at 0.05: 0.10 USD) rolled up, then
   * re-stamped by a void: the report says 2 core-hours before the next roll-up and after it, and
   * the rollup holds it once.
   */
  @Test
  void aRecordReStampedByAVoidIsCountedOnceBeforeAndAfterTheNextRollUp() throws Exception {
    session("acme-s1", "ann", "acme");
    inRun(
        connection ->
            insert(connection, "acme", "acme-s1", "cpu", "2026-03-02T10:00:00Z", "7200", "0.05"));
    rollup.rollUp(NEW_YORK);
    voidRestamp("acme", "2026-04-01T00:00:00Z");

    assertEquals(List.of("acme|USD|cpu|2|0.1"), userRows());
    rollup.rollUp(NEW_YORK);
    assertEquals(List.of("acme|USD|cpu|2|0.1"), userRows());
    assertEquals(
        List.of(List.of(new BigDecimal("7200"), 1L)),
        BillingHarness.rows("SELECT unit_seconds, records FROM billing_usage_daily"));
  }

  /**
   * The whole path: mia's 10 cores for 3 hours on March 2 (30 core-hours at 0.05: 1.50 USD) rated,
   * invoiced (its claim), rolled up, then the invoice voided through the admin route, which
   * re-stamps the records with a fresh run: the report says 30 core-hours and 1.50 before the next
   * roll-up and after it, not 60 and 3.00.
   */
  @Test
  void anInvoiceVoidedThroughItsRouteLeavesTheReportAsItWas() {
    billing.userCreated("mia", Map.of());
    billing.flush();
    billing.created("2026-03-02T09:00:00Z", "s1", "mia", size("10", "0", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s1", "mia");
    billing.calculateUsageAt("2026-03-05T12:00:00Z");
    Answer invoice =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices",
            admin("root"),
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}");
    assertEquals(201, invoice.status(), invoice.body().toString());
    assertEquals(SUCCEEDED, billing.runAt(RollUpUsageJob.NAME, "2026-03-05T12:01:00Z").outcome());
    assertEquals(List.of("mia|cpu|30|1.5"), reportedRows());

    Answer voided =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + invoice.body().get("id").asText(),
            admin("root"),
            "{\"status\": \"void\", \"note\": \"billed twice\"}");

    assertEquals(200, voided.status(), voided.body().toString());
    assertEquals(List.of("mia|cpu|30|1.5"), reportedRows(), "before the next roll-up");
    assertEquals(SUCCEEDED, billing.runAt(RollUpUsageJob.NAME, "2026-03-05T12:02:00Z").outcome());
    assertEquals(List.of("mia|cpu|30|1.5"), reportedRows(), "after it");
  }

  /**
   * While a rating run is in flight the roll-up does not wait for it (runs starting meanwhile would
   * queue behind it): it leaves the rollup and its watermark as they were, and the next one, once
   * the run has ended, rolls up.
   */
  @Test
  void aRollUpWhileARatingRunIsInFlightLeavesTheRollupToTheNextOne() throws Exception {
    rollup.rollUp(NEW_YORK);
    Object watermark = value("SELECT rolled_up_to FROM billing_usage_rollup");
    try (Connection running = dataSource.getConnection()) {
      running.setAutoCommit(false);
      RatingRuns.begin(running);

      UsageRollup.Outcome outcome = rollup.rollUp(NEW_YORK);

      assertTrue(outcome.skipped(), outcome.summary());
      assertEquals(watermark, value("SELECT rolled_up_to FROM billing_usage_rollup"));
      running.rollback();
    }
    assertFalse(rollup.rollUp(NEW_YORK).skipped(), "once the run has ended");
  }

  private List<String> reportedRows() {
    Answer report =
        billing.call(
            HttpMethod.GET,
            "/admin/reports?group_by=user&from=2026-03-01&to=2026-04-01",
            admin("root"));
    assertEquals(200, report.status(), report.body().toString());
    List<String> rows = new ArrayList<>();
    for (JsonNode row : report.body().get("rows")) {
      rows.add(
          String.join(
              "|",
              row.get("user_id").asText(),
              row.get("resource_type").asText(),
              row.get("quantity").decimalValue().stripTrailingZeros().toPlainString(),
              row.get("cost").decimalValue().stripTrailingZeros().toPlainString()));
    }
    return rows;
  }

  private List<String> userRows() throws Exception {
    List<String> rows = new ArrayList<>();
    throughRollup.forEachRow(
        ReportGrouping.USER,
        at("2026-03-01T05:00:00Z"),
        at("2026-04-01T04:00:00Z"),
        NEW_YORK,
        row ->
            rows.add(
                String.join(
                    "|",
                    row.group(),
                    row.currency(),
                    row.line().resourceType(),
                    row.line().quantity().stripTrailingZeros().toPlainString(),
                    row.line().totalCost().stripTrailingZeros().toPlainString())));
    return rows;
  }

  /** Every grouping and every account's usage by member over four ranges; how many compared. */
  private int compareAll(ZoneId zone) throws Exception {
    List<Instant[]> ranges =
        List.of(
            range(midnight(zone, "2026-03-01"), midnight(zone, "2026-04-01")),
            range(at("2026-03-03T05:30:00Z"), at("2026-03-17T13:00:00Z")),
            range(
                midnight(zone, "2026-03-08").plus(Duration.ofHours(3)),
                midnight(zone, "2026-03-08").plus(Duration.ofHours(20))),
            range(midnight(zone, "2026-03-05"), at("2026-03-12T07:00:00Z")),
            range(at("2026-03-09T23:00:00Z"), midnight(zone, "2026-03-21")));
    int compared = 0;
    for (Instant[] range : ranges) {
      for (ReportGrouping grouping : ReportGrouping.values()) {
        List<String> expected = rows(fromRecords, grouping, range, zone);
        List<String> actual = rows(throughRollup, grouping, range, zone);
        assertEquals(
            expected, actual, grouping + " over " + range[0] + " to " + range[1] + " in " + zone);
        compared++;
        if (grouping.byAccount()) {
          assertEquals(
              expected,
              paged(grouping, range, zone),
              grouping + " a page of two accounts at a time over " + range[0] + " in " + zone);
          compared++;
        }
      }
      for (String account : ACCOUNTS) {
        assertEquals(
            memberSumsFromRecords(account, range),
            text(members.sums(account, range[0], range[1], zone)),
            "usage by member of " + account + " over " + range[0] + " to " + range[1]);
        compared++;
      }
    }
    return compared;
  }

  /**
   * The report read through the rollup a page of two accounts at a time, pages in order (the
   * accounts here have records but no account rows: the pages are of {@link #ACCOUNTS}).
   */
  private List<String> paged(ReportGrouping grouping, Instant[] range, ZoneId zone)
      throws Exception {
    List<String> rows = new ArrayList<>();
    for (int first = 0; first < ACCOUNTS.size(); first += 2) {
      List<String> page = ACCOUNTS.subList(first, Math.min(ACCOUNTS.size(), first + 2));
      throughRollup.forEachRowOf(
          page, grouping, range[0], range[1], zone, row -> rows.add(line(row)));
    }
    return rows;
  }

  private static List<String> rows(
      UsageReportQuery query, ReportGrouping grouping, Instant[] range, ZoneId zone)
      throws Exception {
    List<String> rows = new ArrayList<>();
    query.forEachRow(grouping, range[0], range[1], zone, row -> rows.add(line(row)));
    return rows;
  }

  private static String line(ReportRow row) {
    return String.join(
        "|",
        String.valueOf(row.group()),
        String.valueOf(row.member()),
        row.currency(),
        row.line().resourceType(),
        row.line().unitPrice().stripTrailingZeros().toPlainString(),
        row.line().quantity().stripTrailingZeros().toPlainString(),
        row.line().totalCost().toPlainString(),
        String.valueOf(row.line().description()),
        String.valueOf(row.line().saved()));
  }

  private List<String> memberSumsFromRecords(String account, Instant[] range) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            MEMBER_SUMS_REFERENCE
                .bind("user_id", account)
                .bind("from", range[0])
                .bind("to", range[1])
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<MemberSum> sums = new ArrayList<>();
      while (rs.next()) {
        sums.add(new MemberSum(rs.getString("member_id"), UsageRecordRepository.sum(rs)));
      }
      return text(sums);
    }
  }

  private static List<String> text(List<MemberSum> sums) {
    return sums.stream()
        .map(
            m ->
                String.join(
                    "|",
                    String.valueOf(m.memberId()),
                    m.sum().unit().resourceType(),
                    m.sum().unitPrice().stripTrailingZeros().toPlainString(),
                    m.sum().unitSeconds().stripTrailingZeros().toPlainString(),
                    m.sum().pricedUnitSeconds().stripTrailingZeros().toPlainString(),
                    m.sum().activity(),
                    m.sum().savedUnitSeconds().stripTrailingZeros().toPlainString()))
        .toList();
  }

  // three accounts (acme and gamma in USD, beta in VND), each with sessions of three members, and
  // one session whose row is not there (its records have no member)
  private void seedSessions() throws Exception {
    for (String account : ACCOUNTS) {
      for (int s = 0; s < 4; s++) {
        session(account + "-s" + s, account + "-m" + (s % 3), account);
      }
    }
  }

  private void session(String session, String member, String account) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,"
                    + " last_heartbeat) VALUES (?, ?, ?, true, ?, ?)")) {
      insert.setString(1, session);
      insert.setString(2, member);
      insert.setString(3, account);
      insert.setTimestamp(4, Timestamp.from(at("2026-03-01T00:00:00Z")));
      insert.setTimestamp(5, Timestamp.from(at("2026-03-01T00:00:00Z")));
      insert.executeUpdate();
    }
  }

  /** One rating run of {@code count} random records anywhere in March (late ones among them). */
  private void rate(int count) throws Exception {
    inRun(
        connection -> {
          for (int i = 0; i < count; i++) {
            String account = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            int kind = random.nextInt(4);
            String session =
                kind == 0 ? "" : kind == 1 ? account + "-gone" : account + "-s" + random.nextInt(4);
            String resource =
                session.isEmpty() ? "storage" : random.nextBoolean() ? "cpu" : "memory";
            Instant start =
                at("2026-03-01T00:00:00Z").plus(Duration.ofMinutes(30L * random.nextInt(31 * 48)));
            String seconds = BigDecimal.valueOf(1 + random.nextInt(100_000_000), 3).toPlainString();
            String[] prices =
                account.equals("beta")
                    ? new String[] {"350", "12.5"}
                    : new String[] {"0.0138889", "0.05", "2.5"};
            insert(
                connection,
                account,
                session,
                resource,
                start.toString(),
                seconds,
                prices[random.nextInt(prices.length)]);
          }
        });
  }

  @FunctionalInterface
  private interface RunWork {
    void run(Connection connection) throws Exception;
  }

  /** A rating run's transaction: the runs' shared lock and a number of its own, as rating's. */
  private void inRun(RunWork work) throws Exception {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          long run = RatingRuns.begin(connection);
          try (PreparedStatement set =
              connection.prepareStatement("SELECT set_config('test.run', ?, true)")) {
            set.setString(1, Long.toString(run));
            set.executeQuery().close();
          }
          work.run(connection);
          return null;
        });
  }

  private static void insert(
      Connection connection,
      String account,
      String session,
      String resource,
      String start,
      String seconds,
      String price)
      throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement(
            """
            INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
                slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run,
                activity, full_price)
            SELECT v.*, CASE WHEN i.idle THEN 'idle' ELSE 'active' END,
                   CASE WHEN i.idle THEN v.price * 2 END
            FROM (VALUES (?, ?, ?, ?::timestamptz, ?::timestamptz + interval '30 minutes',
                    ?::numeric,
                    CASE ? WHEN 'cpu' THEN 'core-hours' WHEN 'memory' THEN 'gb-hours'
                           ELSE 'gb-months' END,
                    ?::numeric, ?, now(), current_setting('test.run')::bigint)) v(user_id,
                session_id, resource_type, slice_start, slice_end, unit_seconds, unit, price,
                currency, created_at, rating_run)
            -- a third of the cpu time idle at half its price (V78's lines of their own)
            CROSS JOIN LATERAL (SELECT v.resource_type = 'cpu'
                AND extract(hour FROM v.slice_start)::int % 3 = 0) i(idle)
            ON CONFLICT DO NOTHING""")) {
      insert.setString(1, account);
      insert.setString(2, session);
      insert.setString(3, resource);
      insert.setString(4, start);
      insert.setString(5, start);
      insert.setString(6, seconds);
      insert.setString(7, resource);
      insert.setString(8, price);
      insert.setString(9, account.equals("beta") ? "VND" : "USD");
      insert.executeUpdate();
    }
  }

  /**
   * What voiding an invoice does to its records (InvoiceStatusChanges' RELEASE_USAGE): the
   * account's records before the period end get a fresh run, taken as a rating run takes one.
   */
  private void voidRestamp(String account, String periodEnd) throws Exception {
    inRun(
        connection -> {
          try (PreparedStatement restamp =
              connection.prepareStatement(
                  """
                  UPDATE billing_usage_records SET rating_run = current_setting('test.run')::bigint
                  WHERE user_id = ? AND slice_start < ?::timestamptz""")) {
            restamp.setString(1, account);
            restamp.setString(2, periodEnd);
            assertTrue(restamp.executeUpdate() > 0, "the void re-stamps records");
          }
        });
  }

  private static Instant midnight(ZoneId zone, String date) {
    return LocalDate.parse(date).atStartOfDay(zone).toInstant();
  }

  private static Instant[] range(Instant from, Instant to) {
    return new Instant[] {from, to};
  }

  private static NamedSql reference(String key, String member, String join) {
    return NamedSql.of(
        """
        SELECT %1$s AS group_key, %2$s AS member_key, r.currency, %3$s
        FROM (SELECT * FROM billing_usage_records
              WHERE slice_start >= :from AND slice_start < :to) r
        %4$s
        GROUP BY group_key, member_key, r.currency, %5$s
        ORDER BY group_key, r.currency, %5$s, member_key NULLS FIRST
        """
            .formatted(
                key,
                member,
                UsageRecordRepository.RECORDS_SUMMED,
                join,
                UsageRecordRepository.LINE));
  }
}
