package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.jobs.RollUpUsageJob;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The usage claim reads the daily rollup's whole days where every record of them up to its
 * watermark is the invoice's, and the records for the rest (V32's rule, {@link UsageClaims}):
 * hand-worked edges. fay is a personal USD account in usage mode, billed in UTC; each record is
 * an hour of cpu at 0.05 a core-hour, written by a rating run of its own. (March's invoice is
 * overdue by May: its 14 days' terms have passed.)
 */
class UsageClaimsThroughRollupTest {

  private final BillingHarness billing = new BillingHarness(at("2026-02-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();

  @BeforeEach
  void openFay() {
    billing.userCreated("fay", Map.of());
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * March: 1 core-hour (0.05), rolled up, invoiced. Then 2 core-hours of March 20 rated late
   * (0.10) and 4 of April (0.20), both rolled up: the late record's day is March's, before the
   * April invoice's first rollup day (March's claim ends there), so April reads it from the
   * records, once: 0.10 + 0.20 = 0.30.
   */
  @Test
  void aLateRecordOfLastMonthRatedAfterItsInvoiceIsBilledOnceByTheNextInvoice() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    rollUp("2026-03-31T12:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-04-01T01:00:00Z");

    rated("2026-03-20T10:00:00Z", "7200");
    rated("2026-04-10T10:00:00Z", "14400");
    rollUp("2026-04-30T12:00:00Z");
    assertEquals(0L, tail(), "both late records are in the rollup");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.05 0.00 0.05",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.30 0.00 0.30"),
        invoices("fay"));
    assertEquals(
        List.of(
            List.of(invoiceId("fay", "2026-03-01T00:00:00Z"), 1L),
            List.of(invoiceId("fay", "2026-04-01T00:00:00Z"), 2L)),
        billedPerInvoice());
  }

  /**
   * 1 core-hour of March 10 rolled up, then 2 core-hours of March 20 rated after the roll-up:
   * the invoice reads the first from the rollup and the second from the records rated after its
   * watermark (the tail): 0.05 + 0.10 = 0.15.
   */
  @Test
  void aRecordRatedAfterTheWatermarkIsBilledFromTheRecords() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    rollUp("2026-03-31T12:00:00Z");
    rated("2026-03-20T10:00:00Z", "7200");
    assertEquals(1L, tail(), "the second record is rated after the watermark");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.15 0.00 0.15"),
        invoices("fay"));
  }

  /**
   * The same two records, the rollup not built yet (no roll-up has run): the invoice reads the
   * records only, and bills the same 0.15; the rollup built afterwards leaves it as it was.
   */
  @Test
  void anInvoiceBeforeTheRollupIsBuiltReadsTheRecords() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    rated("2026-03-20T10:00:00Z", "7200");
    assertEquals(
        0L,
        value("SELECT count(*) FROM billing_usage_rollup WHERE time_zone IS NOT NULL"),
        "not built");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    rollUp("2026-04-01T02:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.15 0.00 0.15",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z paid INV-2026-000002 0.00 0.00 0.00"),
        invoices("fay"));
  }

  /**
   * March's settled run is read (1 core-hour rated up to it), then 2 core-hours of March are
   * rated by a later run and rolled up: the watermark is past the claim's run. The rollup's March
   * 20 holds that record; the claim takes it off again (it is a later invoice's by the rule):
   * March bills 0.05, April the late 0.10.
   */
  @Test
  void aWatermarkPastTheClaimsRunLeavesTheLaterRunsRecordsToTheNextInvoice() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // a draft: within the grace
    long march = invoiceId("fay", "2026-03-01T00:00:00Z");
    long settled = RatingRuns.settled(dataSource);
    rated("2026-03-20T10:00:00Z", "7200");
    rollUp("2026-04-01T00:30:00Z");
    assertTrue(
        (Long) value("SELECT rolled_up_to FROM billing_usage_rollup") > settled,
        "the watermark is past the claim's run");

    Transactions.inTransaction(
        dataSource, c -> finalizer().finalizeDraft(c, march, at("2026-04-01T01:00:00Z"), settled));
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.05 0.00 0.05",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.10 0.00 0.10"),
        invoices("fay"));
  }

  /**
   * February's and March's drafts of fay, finalized in one chunk, each read their own days of the
   * rollup: 1 core-hour of February 10 (0.05) and 2 of March 10 (0.10), all rolled up.
   */
  @Test
  void twoDraftsOfOneAccountInOneChunkEachReadTheirOwnDays() throws Exception {
    rated("2026-02-10T10:00:00Z", "3600");
    rated("2026-03-10T10:00:00Z", "7200");
    billing.runAt(GENERATE_INVOICES, "2026-03-01T00:00:00Z"); // February's draft, in the grace
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // and March's
    rollUp("2026-04-01T00:30:00Z");

    billing.runAt(FINALIZE_INVOICES, "2026-04-01T01:00:00Z"); // both due: one chunk

    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z sent INV-2026-000001 0.05 0.00 0.05",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000002 0.10 0.00 0.10"),
        invoices("fay"));
  }

  /**
   * The claim does read the rollup's days: with the rollup's sums doubled by hand (a wrong rollup,
   * which nothing but this test writes), March bills 2 core-hours for the one rated: 0.10.
   */
  @Test
  void theInvoiceReadsItsWholeDaysFromTheRollup() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    rollUp("2026-03-31T12:00:00Z");
    value("UPDATE billing_usage_daily SET unit_seconds = unit_seconds * 2 RETURNING 1");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.10 0.00 0.10"),
        invoices("fay"));
  }

  /**
   * A rollup of another zone than the billing zone (UTC here) is not read: its days are not the
   * periods' days. Doubled by hand, it changes nothing: March bills its 1 core-hour, 0.05.
   */
  @Test
  void aRollupOfAnotherZoneIsNotRead() throws Exception {
    rated("2026-03-10T10:00:00Z", "3600");
    new UsageRollup(dataSource, BackgroundLane.quiet()).rollUp(ZoneId.of("Asia/Ho_Chi_Minh"));
    value("UPDATE billing_usage_daily SET unit_seconds = unit_seconds * 2 RETURNING 1");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.05 0.00 0.05"),
        invoices("fay"));
  }

  private InvoiceFinalizer finalizer() {
    return new InvoiceFinalizer(
        dataSource,
        new InvoiceCalculator(dataSource, BillingConfig::defaults),
        new BillingEvents((type, payload) -> {}),
        BillingConfig::defaults,
        (connection, invoice) -> {},
        PluginMetrics.none(),
        null,
        InvoiceFinalizer.Chunking.DEFAULT);
  }

  private void rollUp(String now) {
    assertEquals(SUCCEEDED, billing.runAt(RollUpUsageJob.NAME, now).outcome());
  }

  /** How many records lie above the rollup's watermark. */
  private static long tail() {
    return (Long)
        value(
            "SELECT count(*) FROM billing_usage_records WHERE rating_run >"
                + " (SELECT rolled_up_to FROM billing_usage_rollup)");
  }

  private static List<List<Object>> billedPerInvoice() {
    return rows(
        """
        SELECT * FROM (SELECT coalesce(invoice_id, -1) AS invoice, count(*)
                       FROM billing_usage_billed GROUP BY 1) b
        ORDER BY invoice = -1, invoice""");
  }

  /** fay's cpu record of the hour from {@code start}, written by a rating run of its own. */
  private void rated(String start, String unitSeconds) throws Exception {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          long run = RatingRuns.begin(connection);
          try (PreparedStatement insert =
              connection.prepareStatement(
                  """
                  INSERT INTO billing_usage_records (user_id, session_id, resource_type,
                      slice_start, slice_end, unit_seconds, unit, unit_price, currency,
                      created_at, rating_run)
                  VALUES ('fay', 'fay-s1', 'cpu', ?, ?, ?, 'core-hours', 0.05, 'USD', ?, ?)""")) {
            Instant from = at(start);
            insert.setTimestamp(1, Timestamp.from(from));
            insert.setTimestamp(2, Timestamp.from(from.plusSeconds(3600)));
            insert.setBigDecimal(3, new BigDecimal(unitSeconds));
            insert.setTimestamp(4, Timestamp.from(from.plusSeconds(3600)));
            insert.setLong(5, run);
            insert.executeUpdate();
          }
          return null;
        });
  }
}
