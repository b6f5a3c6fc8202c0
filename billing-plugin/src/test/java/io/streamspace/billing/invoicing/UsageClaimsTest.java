package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invoices claim usage by range (V32): a record belongs to the first claim of its account that
 * lies after it and whose settled run is not below the record's run. Rating runs in flight,
 * voids and finalizations of one account at once each bill every record exactly once.
 */
class UsageClaimsTest {

  private static final Instant AFTER_GRACE = at("2026-04-01T01:00:00Z");
  private static final Instant AFTER_MAY = at("2026-05-01T01:00:00Z");
  private static final Cause ADMIN = new Cause(Actor.admin("root"), "test", null);

  private final BillingHarness billing = new BillingHarness(at("2026-02-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();
  private final BillingEvents events = new BillingEvents((type, payload) -> {});
  private final InvoiceFinalizer finalizer =
      new InvoiceFinalizer(
          dataSource,
          new InvoiceCalculator(dataSource, BillingConfig::defaults),
          events,
          BillingConfig::defaults,
          (connection, invoice) -> {},
          PluginMetrics.none(),
          null,
          InvoiceFinalizer.Chunking.DEFAULT);
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @AfterEach
  void unload() {
    threads.shutdownNow();
    billing.close();
  }

  /** fay ran one core for an hour of March (0.05), rated; March's draft is open. */
  private long marchDraftWithOneCoreHour() {
    billing.created("2026-03-10T10:00:00Z", "s1", "fay", size("1", "0", "0"));
    billing.terminated("2026-03-10T11:00:00Z", "s1", "fay");
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // a draft: within the grace
    return invoiceId("fay", "2026-03-01T00:00:00Z");
  }

  @Test
  void theSettledRunWaitsForARatingInFlight_whoseRecordTheInvoiceThenBills() throws Exception {
    long march = marchDraftWithOneCoreHour();
    try (Connection rating = dataSource.getConnection()) {
      rating.setAutoCommit(false);
      long run = RatingRuns.begin(rating);
      record(rating, "fay", "2026-03-20T10:00:00Z", "7200", run); // two cores for an hour

      Future<Finalization> finalizing = threads.submit(() -> finalizer.finalizeDue(AFTER_GRACE));
      Await.await(
          Duration.ofSeconds(10),
          Duration.ofMillis(10),
          "the finalization waits for the rating's lock",
          () -> (Long) value("SELECT count(*) FROM pg_locks WHERE NOT granted") == 1L);
      assertFalse(finalizing.isDone());
      assertEquals("draft", value("SELECT status FROM billing_invoices WHERE id = ?", march));

      rating.commit();
      assertEquals(new Finalization(1, 0), finalizing.get());
    }
    // 1 + 2 core-hours at 0.05
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.15 0.00 0.15"),
        invoices("fay"));
    assertEquals(List.of(List.of(march, 2L)), billedPerInvoice());
  }

  @Test
  void aRecordOfARunThatStartedAfterTheSettledReadIsBilledByTheNextInvoice() throws Exception {
    long march = marchDraftWithOneCoreHour();
    long settled = RatingRuns.settled(dataSource);
    try (Connection rating = dataSource.getConnection()) {
      rating.setAutoCommit(false);
      long run = RatingRuns.begin(rating);
      record(rating, "fay", "2026-03-20T10:00:00Z", "7200", run); // two cores for an hour of March

      // no wait: the finalization holds no rating lock, and claims runs up to the settled one
      Transactions.inTransaction(
          dataSource, c -> finalizer.finalizeDraft(c, march, AFTER_GRACE, settled));
      rating.commit();
      assertTrue(run > settled, run + " > " + settled);
    }
    assertEquals(
        settled, value("SELECT run_high FROM billing_usage_claims WHERE invoice_id = ?", march));
    assertEquals(List.of(List.of(march, 1L), List.of(-1L, 1L)), billedPerInvoice());

    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    // March: its one core-hour; April: the two core-hours of March rated too late for it
    long april = invoiceId("fay", "2026-04-01T00:00:00Z");
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.05 0.00 0.05",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.10 0.00 0.10"),
        invoices("fay"));
    assertEquals(List.of(List.of(march, 1L), List.of(april, 1L)), billedPerInvoice());
  }

  @Test
  void voidingAnInvoiceALaterOneFollowedReleasesItsRecordsToTheNextInvoiceOnce() throws Exception {
    long march = marchDraftWithOneCoreHour();
    billing.runAt(FINALIZE_INVOICES, "2026-04-01T01:00:00Z");
    billing.created("2026-04-10T10:00:00Z", "s2", "fay", size("4", "0", "0"));
    billing.terminated("2026-04-10T11:00:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    long april = invoiceId("fay", "2026-04-01T00:00:00Z");
    assertEquals(List.of(List.of(march, 1L), List.of(april, 1L)), billedPerInvoice());

    // March's record lies before April's end and its run is below April's settled run: were
    // it only uncovered, April's claim would take it after the fact; its fresh run keeps it out
    new InvoiceStatusChanges(dataSource, events, account -> {})
        .change(
            march, InvoiceStatus.VOID, "wrong plan", at("2026-05-02T00:00:00Z"), Cause.job("test"));
    assertEquals(
        0L, value("SELECT count(*) FROM billing_usage_claims WHERE invoice_id = ?", march));
    assertEquals(List.of(List.of(april, 1L), List.of(-1L, 1L)), billedPerInvoice());

    billing.calculateUsageAt("2026-06-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-06-01T01:00:00Z");

    // April keeps its four core-hours (0.20); May bills March's released one (0.05)
    long may = invoiceId("fay", "2026-05-01T00:00:00Z");
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z void INV-2026-000001 0.05 0.00 0.05",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z overdue INV-2026-000002 0.20 0.00 0.20",
            "2026-05-01T00:00:00Z..2026-06-01T00:00:00Z sent INV-2026-000003 0.05 0.00 0.05"),
        invoices("fay"));
    assertEquals(List.of(List.of(april, 1L), List.of(may, 1L)), billedPerInvoice());
  }

  @Test
  void twoFinalizationsOfOneAccountAtOnceBillEachRecordOnce() throws Exception {
    // one core-hour in February, two in March; both periods' drafts are due
    billing.created("2026-02-10T10:00:00Z", "s1", "fay", size("1", "0", "0"));
    billing.terminated("2026-02-10T11:00:00Z", "s1", "fay");
    billing.created("2026-03-10T10:00:00Z", "s2", "fay", size("2", "0", "0"));
    billing.terminated("2026-03-10T11:00:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    long february = draft("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    long march = draft("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    long settled = RatingRuns.settled(dataSource);

    CyclicBarrier start = new CyclicBarrier(2);
    List<Future<?>> both =
        List.of(february, march).stream()
            .<Future<?>>map(
                id ->
                    threads.submit(
                        () -> {
                          start.await();
                          return Transactions.inTransaction(
                              dataSource,
                              c -> finalizer.finalizeDraft(c, id, AFTER_GRACE, settled));
                        }))
            .toList();
    for (Future<?> f : both) {
      f.get();
    }
    // March's draft waits while February's is one: finalized after it, once its transaction got
    // the account's lock after February's committed; else left a draft with nothing claimed
    if ("draft".equals(value("SELECT status FROM billing_invoices WHERE id = ?", march))) {
      assertEquals(
          0L, value("SELECT count(*) FROM billing_usage_claims WHERE invoice_id = ?", march));
      Transactions.inTransaction(
          dataSource, c -> finalizer.finalizeDraft(c, march, AFTER_GRACE, settled));
    }

    // either way, each record once and on its own period's invoice: February 0.05, March 0.10
    assertEquals(
        new BigDecimal("0.05"), value("SELECT total FROM billing_invoices WHERE id = ?", february));
    assertEquals(
        new BigDecimal("0.10"), value("SELECT total FROM billing_invoices WHERE id = ?", march));
    assertEquals(0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NULL"));
    assertEquals(2L, value("SELECT count(DISTINCT claim_no) FROM billing_usage_claims"));
  }

  @Test
  void twoDraftsOfOneAccountInOneChunkEachBillTheRecordsBeforeItsOwnEndOnly() throws Exception {
    // one core-hour in February (0.05), two in March (0.10); both periods' drafts are due and
    // finalized in one chunk, February's first (id order)
    billing.created("2026-02-10T10:00:00Z", "s1", "fay", size("1", "0", "0"));
    billing.terminated("2026-02-10T11:00:00Z", "s1", "fay");
    billing.created("2026-03-10T10:00:00Z", "s2", "fay", size("2", "0", "0"));
    billing.terminated("2026-03-10T11:00:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    long february = draft("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    long march = draft("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    assertEquals(2, finalizer.finalizeAll(List.of(february, march), AFTER_GRACE).finalized());

    // February's record lies before both ends: the first of the chunk takes it, March's range
    // starts where February's ends
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z sent INV-2026-000001 0.05 0.00 0.05",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000002 0.10 0.00 0.10"),
        invoices("fay"));
    assertEquals(List.of(List.of(february, 1L), List.of(march, 1L)), billedPerInvoice());
  }

  @Test
  void anEarlierClaimEndingAfterTheLatestOneKeepsTheRecordsItCovers() throws Exception {
    // one core-hour in March (0.05) and two in April (0.10), billed by an admin's invoice of
    // March and April; then an admin's invoice of February, made later (the latest claim) but
    // ending before the first one's end
    billing.created("2026-03-10T10:00:00Z", "s1", "fay", size("1", "0", "0"));
    billing.terminated("2026-03-10T11:00:00Z", "s1", "fay");
    billing.created("2026-04-10T10:00:00Z", "s2", "fay", size("2", "0", "0"));
    billing.terminated("2026-04-10T11:00:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-05-01T00:00:00Z");
    Currency usd = Currency.getInstance("USD");
    finalizer.invoiceNow(
        "fay", usd, at("2026-03-01T00:00:00Z"), at("2026-05-01T00:00:00Z"), AFTER_MAY, ADMIN);
    finalizer.invoiceNow(
        "fay", usd, at("2026-02-01T00:00:00Z"), at("2026-03-01T00:00:00Z"), AFTER_MAY, ADMIN);
    // four core-hours in May (0.20)
    billing.created("2026-05-10T10:00:00Z", "s3", "fay", size("4", "0", "0"));
    billing.terminated("2026-05-10T11:00:00Z", "s3", "fay");
    billing.calculateUsageAt("2026-06-01T00:00:00Z");

    // May's invoice reads from the latest claim's end (1 March) on, but March's and April's
    // records are the first claim's: it bills May's four core-hours only
    Invoice may = period("2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z");
    BillingPeriods periods = new BillingPeriods(1, ZoneOffset.UTC);
    List<ChargeLine> lines =
        PeriodCharges.usageLines(
            usd,
            may.periodStart(),
            may.periodEnd(),
            buckets(peek(may, BillingMode.USAGE, periods)));
    assertEquals(1, lines.size(), lines.toString());
    assertEquals(0, new BigDecimal("4").compareTo(lines.get(0).quantity()), lines.toString());
    assertEquals(new BigDecimal("0.20"), lines.get(0).amount());
  }

  @Test
  void usageModeReadsABucketPerPeriodNotPerHour_withTheHourlyBucketsFigures() throws Exception {
    // three cores across the invoice day (22:30 to 01:30); two cores, 1 GB and 5 GB for 47.5
    // hours in April; nothing invoiced yet, so March's part is April's invoice's too
    billing.created("2026-03-31T22:30:00Z", "s1", "fay", size("3", "0", "0"));
    billing.terminated("2026-04-01T01:30:00Z", "s1", "fay");
    billing.created("2026-04-10T10:15:00Z", "s2", "fay", size("2", "1", "5"));
    billing.terminated("2026-04-12T09:45:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    BillingPeriods periods = new BillingPeriods(1, ZoneOffset.UTC);
    Currency usd = Currency.getInstance("USD");

    // April's invoice, and an admin's from 15 March to 20 April (its start cuts a period)
    for (Invoice invoice :
        List.of(
            period("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
            period("2026-03-15T00:00:00Z", "2026-04-20T00:00:00Z"))) {
      UsageClaims.Claimed hourly = peek(invoice, BillingMode.HYBRID, periods);
      UsageClaims.Claimed coarse = peek(invoice, BillingMode.USAGE, periods);

      assertEquals(at("2026-03-31T22:30:00Z"), hourly.floor());
      assertEquals(hourly.floor(), coarse.floor());
      assertTrue(
          coarse.usage().size() * 10 < hourly.usage().size(),
          coarse.usage().size() + " buckets against " + hourly.usage().size());
      assertEquals(
          PeriodCharges.usageLines(
              usd, invoice.periodStart(), invoice.periodEnd(), buckets(hourly)),
          PeriodCharges.usageLines(
              usd, invoice.periodStart(), invoice.periodEnd(), buckets(coarse)));
    }
    // by hand, April's: 3 × 3 + 2 × 47.5 = 104 core-hours at 0.05 = 5.20
    ChargeLine cpu =
        PeriodCharges.usageLines(
                usd,
                at("2026-04-01T00:00:00Z"),
                at("2026-05-01T00:00:00Z"),
                buckets(
                    peek(
                        period("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
                        BillingMode.USAGE,
                        periods)))
            .get(0);
    assertEquals(0, new BigDecimal("104").compareTo(cpu.quantity()), cpu.toString());
    assertEquals(new BigDecimal("5.20"), cpu.amount());
  }

  private static UsageClaims.Claimed peek(Invoice invoice, BillingMode mode, BillingPeriods periods)
      throws Exception {
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      return UsageClaims.peek(connection, List.of(invoice), null, i -> false, mode, periods).get(0);
    }
  }

  private static List<UsageBucket> buckets(UsageClaims.Claimed claimed) {
    return List.copyOf(MemberBucket.byBucket(claimed.usage()).keySet());
  }

  private static Invoice period(String start, String end) {
    return new Invoice(
        0,
        null,
        "fay",
        at(start),
        at(end),
        InvoiceStatus.DRAFT,
        Currency.getInstance("USD"),
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** How many records each invoice bills, by invoice id (-1: unbilled). */
  private static List<List<Object>> billedPerInvoice() {
    return rows(
        """
        SELECT * FROM (SELECT coalesce(invoice_id, -1) AS invoice, count(*)
                       FROM billing_usage_billed GROUP BY 1) b
        ORDER BY invoice = -1, invoice""");
  }

  private static long draft(String start, String end) {
    return InvoiceFixtures.invoice(
        "fay", start, end, "draft", null, "USD", "0", "0", "0", null, null);
  }

  /** A cpu record of an hour from {@code start}, written as a rating run writes it. */
  private static void record(
      Connection connection, String user, String start, String unitSeconds, long run)
      throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement(
            """
            INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
                slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
            VALUES (?, 'late', 'cpu', ?, ?, ?, 'core-hours', 0.05, 'USD', ?, ?)""")) {
      Instant from = at(start);
      insert.setString(1, user);
      insert.setTimestamp(2, Timestamp.from(from));
      insert.setTimestamp(3, Timestamp.from(from.plusSeconds(3600)));
      insert.setBigDecimal(4, new BigDecimal(unitSeconds));
      insert.setTimestamp(5, Timestamp.from(from.plusSeconds(3600)));
      insert.setLong(6, run);
      insert.executeUpdate();
    }
  }
}
