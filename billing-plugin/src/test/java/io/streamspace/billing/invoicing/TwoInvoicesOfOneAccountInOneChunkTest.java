package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two drafts of one account, of consecutive periods, finalized in one chunk bill what the same
 * two drafts finalized one at a time bill, to the cent: {@link UsageClaims} gives a record to
 * the first invoice of the chunk (in id order, the order drafts are locked in) it lies before
 * the end of, and {@link io.streamspace.billing.credits.CreditApplier} spends the account's
 * credit on the earlier invoice first. The accounts {@code fay} (her drafts finalized one at a
 * time, in id order) and {@code gil} (his in one chunk of two) have the same usage and credit;
 * each side is checked against figures worked out by hand.
 */
class TwoInvoicesOfOneAccountInOneChunkTest {

  private static final String FEBRUARY = "2026-02-01T00:00:00Z";
  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final Instant NOW = at("2026-04-01T02:00:00Z");

  private final BillingHarness billing = new BillingHarness(at(FEBRUARY));

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * The same usage and credit for each account, rated on 1 April at 02:00 (cpu at 0.05 a
   * core-hour): one core for an hour of February (1 core-hour, one record); two cores for two
   * hours of March (4 core-hours, two records); three cores from 31 March 23:00 to 1 April 01:00
   * (3 core-hours in March and 3 in April, a record each). A credit of 0.10 each, granted on 1
   * February.
   */
  @BeforeEach
  void usageAndCredits() {
    for (String user : List.of("fay", "gil", "hal")) {
      billing.created("2026-02-10T10:00:00Z", user + "-1", user, size("1", "0", "0"));
      billing.terminated("2026-02-10T11:00:00Z", user + "-1", user);
      billing.created("2026-03-10T10:00:00Z", user + "-2", user, size("2", "0", "0"));
      billing.terminated("2026-03-10T12:00:00Z", user + "-2", user);
      billing.created("2026-03-31T23:00:00Z", user + "-3", user, size("3", "0", "0"));
      billing.terminated("2026-04-01T01:00:00Z", user + "-3", user);
    }
    billing.flush(); // the accounts exist: their credits refer to them
    for (String user : List.of("fay", "gil", "hal")) {
      InvoiceFixtures.grantCredit(user, "0.10", "USD", "welcome", FEBRUARY, null);
    }
    billing.calculateUsageAt("2026-04-01T02:00:00Z");
  }

  @Test
  void februaryAndMarchInOneChunkBillAsOneAtATime_eachRecordOnce() throws Exception {
    List<Long> fay = drafts("fay", FEBRUARY, MARCH);
    List<Long> gil = drafts("gil", FEBRUARY, MARCH);

    finalizeOneAtATimeAndInOneChunk(fay, gil);

    // February: 1 core-hour = 0.05, of which the credit pays 0.05 (0.05 of it left): paid.
    // March: 4 + 3 = 7 core-hours = 0.35, the credit's last 0.05 off: 0.30 to pay.
    // Numbers: fay's two first (finalized first), then gil's, each in draft order.
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid INV-2026-000001 0.05 0.05 0.00",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000002 0.35 0.05 0.30"),
        invoices("fay"));
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid INV-2026-000003 0.05 0.05 0.00",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000004 0.35 0.05 0.30"),
        invoices("gil"));
    // each record once: February's one record, March's three (two of 10 March, one of 31
    // March); the hour of April (its own record) on neither, left to April's invoice
    assertEquals(
        List.of(List.of(gil.get(0), 1L), List.of(gil.get(1), 3L), List.of(-1L, 1L)),
        billedPerInvoice("gil"));
    assertEquals(List.of("0.05", "0.05"), creditUses("gil"));
    assertBilledAlike(fay, gil);
  }

  @Test
  void aLaterPeriodsDraftFirstInTheChunkTakesTheEarlierPeriodsRecordsAsOneAtATime()
      throws Exception {
    // March's drafts before February's (February's voided and opened again, say): in id order,
    // March comes first in the chunk as when finalized one at a time
    List<Long> fay = drafts("fay", MARCH, FEBRUARY);
    List<Long> gil = drafts("gil", MARCH, FEBRUARY);

    finalizeOneAtATimeAndInOneChunk(fay, gil);

    // March, first: everything unbilled before its end, February's core-hour too:
    // 1 + 4 + 3 = 8 core-hours = 0.40, the whole credit 0.10 off: 0.30 to pay.
    // February, second: nothing left before its end: 0.00, no credit, paid.
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid INV-2026-000002 0.00 0.00 0.00",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.40 0.10 0.30"),
        invoices("fay"));
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid INV-2026-000004 0.00 0.00 0.00",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000003 0.40 0.10 0.30"),
        invoices("gil"));
    assertEquals(List.of(), InvoiceFixtures.lines(gil.get(1)));
    assertEquals(List.of(List.of(gil.get(0), 4L), List.of(-1L, 1L)), billedPerInvoice("gil"));
    assertEquals(List.of("0.10"), creditUses("gil"));
    assertBilledAlike(fay, gil);
  }

  @Test
  void onTwoWorkersInChunksOfOneTwoAccountsDraftsStillBillAsOneAtATimeInIdOrder() throws Exception {
    // chunks of one on two workers would finalize March beside February, and whichever locked
    // the account first would take February's record: an account's drafts share a chunk
    // instead, gil's one and hal's the other, the two chunks on the two workers
    List<Long> fay = drafts("fay", FEBRUARY, MARCH);
    List<Long> gil = drafts("gil", FEBRUARY, MARCH);
    List<Long> hal = drafts("hal", FEBRUARY, MARCH);
    List<Long> gilAndHal = Stream.concat(gil.stream(), hal.stream()).toList();

    assertEquals(new Finalization(2, 0), finalizer(1, 1).finalizeAll(fay, NOW));
    assertEquals(new Finalization(4, 0), finalizer(1, 2).finalizeAll(gilAndHal, NOW));

    for (String user : List.of("gil", "hal")) {
      assertEquals(
          List.of(
              "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid 0.05 0.05 0.00",
              "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent 0.35 0.05 0.30"),
          invoices(user).stream().map(i -> i.replaceFirst(" INV-\\S+", "")).toList(),
          user);
    }
    assertBilledAlike(fay, gil);
    assertBilledAlike(fay, "hal", hal);
  }

  /** Drafts of the account for the months starting at {@code starts}, opened in that order. */
  private static List<Long> drafts(String user, String... starts) {
    return Stream.of(starts)
        .map(start -> draft(user, start, start.equals(FEBRUARY) ? MARCH : APRIL))
        .toList();
  }

  /** fay's drafts finalized one at a time, gil's in one chunk of two, each in the order given. */
  private static void finalizeOneAtATimeAndInOneChunk(List<Long> fay, List<Long> gil)
      throws SQLException {
    assertEquals(new Finalization(2, 0), finalizer(1, 1).finalizeAll(fay, NOW));
    assertEquals(
        new Finalization(2, 0), finalizer(2, InvoiceFinalizer.WORKERS).finalizeAll(gil, NOW));
  }

  /**
   * Invoice for invoice, the same lines, records billed (as many, the same unbilled) and credit
   * used: fay's, finalized one at a time, and gil's, in one chunk.
   */
  private static void assertBilledAlike(List<Long> fay, List<Long> gil) {
    assertBilledAlike(fay, "gil", gil);
  }

  /** {@link #assertBilledAlike(List, List)} of fay's and {@code user}'s {@code drafts}. */
  private static void assertBilledAlike(List<Long> fay, String user, List<Long> drafts) {
    for (int i = 0; i < fay.size(); i++) {
      assertEquals(InvoiceFixtures.lines(fay.get(i)), InvoiceFixtures.lines(drafts.get(i)));
    }
    assertEquals(
        billedPerInvoice("fay").stream().map(r -> r.get(1)).toList(),
        billedPerInvoice(user).stream().map(r -> r.get(1)).toList());
    assertEquals(creditUses("fay"), creditUses(user));
  }

  private static InvoiceFinalizer finalizer(int chunk, int workers) {
    return new InvoiceFinalizer(
        TestDatabase.dataSource(),
        new InvoiceCalculator(TestDatabase.dataSource(), BillingConfig::defaults),
        new BillingEvents((type, payload) -> {}),
        BillingConfig::defaults,
        (connection, invoice) -> {},
        PluginMetrics.none(),
        null,
        new InvoiceFinalizer.Chunking(chunk, workers));
  }

  private static long draft(String user, String start, String end) {
    return InvoiceFixtures.invoice(
        user, start, end, "draft", null, "USD", "0", "0", "0", null, null);
  }

  /** How many of the account's records each invoice bills, by invoice id (-1: unbilled). */
  private static List<List<Object>> billedPerInvoice(String user) {
    return rows(
        """
        SELECT * FROM (SELECT coalesce(invoice_id, -1) AS invoice, count(*)
                       FROM billing_usage_billed WHERE user_id = ? GROUP BY 1) b
        ORDER BY invoice = -1, invoice""",
        user);
  }

  /** What each of the account's invoices used of its credit, by invoice period. */
  private static List<String> creditUses(String user) {
    return rows(
            """
            SELECT a.amount FROM billing_credit_applications a
            JOIN billing_invoices i ON i.id = a.invoice_id
            WHERE i.user_id = ? ORDER BY i.period_start""",
            user)
        .stream()
        .map(r -> ((BigDecimal) r.get(0)).toPlainString())
        .toList();
  }
}
