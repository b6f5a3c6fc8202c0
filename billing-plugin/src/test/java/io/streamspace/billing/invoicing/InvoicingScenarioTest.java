package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.grantCredit;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Monthly invoicing end to end in the plugin, against real PostgreSQL, with a clock the test
 * moves and figures worked out by hand. Defaults unless said: usage mode, USD, UTC, invoice day
 * 1, one hour of grace, 14 days to pay; 0.05 per core-hour, 0.01 per GB-hour, 0.10 per
 * GB-month (730 hours).
 */
class InvoicingScenarioTest {

  private BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aSessionAcrossTheInvoiceDayIsSplitBetweenTheTwoInvoicesToTheSecond_eachCountedOnce() {
    billing.created("2026-03-31T23:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.terminated("2026-04-01T03:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-04-01T03:30:00Z");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T03:30:00Z");
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    // March: 1 hour of 2 cores (0.10) and 4 GB (0.04); April: 3 hours (0.30 and 0.12). By
    // May the March invoice, due on April 15, is overdue.
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.14 0.00 0.14",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.42 0.00 0.42"),
        invoices("alice"));
    assertEquals(
        List.of(
            "usage cpu usage cpu 2 core-hours 0.05 0.10",
            "usage memory usage memory 4 gb-hours 0.01 0.04"),
        lines(invoiceId("alice", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of(
            "usage cpu usage cpu 6 core-hours 0.05 0.30",
            "usage memory usage memory 12 gb-hours 0.01 0.12"),
        lines(invoiceId("alice", "2026-04-01T00:00:00Z")));
    assertEquals(
        at("2026-04-15T03:30:00Z").toString(),
        value(
            "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                + "FROM billing_invoices WHERE invoice_number = 'INV-2026-000001'"),
        "due 14 days after finalization");
    assertEquals(
        2,
        billing.context.metrics().count("invoices.finalized", "currency", "USD"),
        "each finalization counted once: May's run does not count March's invoice again");
  }

  @Test
  void usageFiguresWorkedOutByHandRoundOncePerLine() {
    billing.created("2026-03-02T10:15:00Z", "s1", "bob", size("2", "4", "10"));
    billing.terminated("2026-03-02T12:30:00Z", "s1", "bob");
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    // cpu 2 cores x 2.25 h = 4.5 core-hours x 0.05 = 0.225 -> 0.23 (half up, once);
    // memory 4 GB x 2.25 h = 9 GB-hours = 0.09; storage 10 GB from 10:15 on the 2nd to the
    // period end: 709.75 h = 9.722603 GB-months x 0.10 = 0.9722... -> 0.97
    assertEquals(
        List.of(
            "usage cpu usage cpu 4.5 core-hours 0.05 0.23",
            "usage memory usage memory 9 gb-hours 0.01 0.09",
            "usage storage usage storage 9.722603 gb-months 0.1 0.97"),
        lines(invoiceId("bob", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 1.29 0.00 1.29"),
        invoices("bob"));
  }

  /** 100 GB of storage for a whole period: 100 x hours / 730 GB-months at 0.10. */
  @ParameterizedTest(name = "{0} {1}: {3} hours")
  @CsvSource({
    "UTC, 2026-02-01T00:00:00Z, 2026-03-01T00:00:00Z, 672, 92.054795, 9.21",
    "UTC, 2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z, 696, 95.342466, 9.53",
    "UTC, 2026-04-01T00:00:00Z, 2026-05-01T00:00:00Z, 720, 98.630137, 9.86",
    "UTC, 2026-03-01T00:00:00Z, 2026-04-01T00:00:00Z, 744, 101.917808, 10.19",
    // New York springs forward on 2026-03-08: the March period is one hour short
    "America/New_York, 2026-03-01T05:00:00Z, 2026-04-01T04:00:00Z, 743, 101.780822, 10.18"
  })
  void periodsFollowTheCalendarInTheBillingZone(
      String zone, String start, String end, int hours, String gbMonths, String amount) {
    billing.close();
    billing = new BillingHarness(at(start), "{\"billingTimeZone\": \"" + zone + "\"}");
    billing.created(start, "s1", "carol", size("0", "0", "100"));
    billing.terminated(start, "s1", "carol");
    String afterGrace = at(end).plusSeconds(3600).toString();
    billing.calculateUsageAt(afterGrace);

    billing.runAt(GENERATE_INVOICES, afterGrace);

    assertEquals(hours * 3600L, at(end).getEpochSecond() - at(start).getEpochSecond());
    assertEquals(
        List.of(
            start
                + ".."
                + end
                + " sent "
                + "INV-"
                + at(afterGrace).toString().substring(0, 4)
                + "-000001 "
                + amount
                + " 0.00 "
                + amount),
        invoices("carol"));
    assertEquals(
        List.of("usage storage usage storage " + gbMonths + " gb-months 0.1 " + amount),
        lines(invoiceId("carol", start)));
  }

  @Test
  void creditsAreUsedEarliestExpiryFirstThenOldestAndNeverWhenExpiredOrInAnotherCurrency() {
    billing.created("2026-03-10T10:00:00Z", "s1", "dora", size("100", "0", "0"));
    billing.terminated("2026-03-10T12:00:00Z", "s1", "dora"); // 200 core-hours = 10.00
    billing.flush();
    long midPeriod =
        grantCredit("dora", "3.00", "USD", "mid", "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z");
    long never = grantCredit("dora", "20.00", "USD", "large", "2026-03-02T00:00:00Z", null);
    long later =
        grantCredit("dora", "2.50", "USD", "june", "2026-03-03T00:00:00Z", "2026-06-01T00:00:00Z");
    long sooner =
        grantCredit("dora", "4.00", "USD", "may", "2026-03-04T00:00:00Z", "2026-05-01T00:00:00Z");
    long newerNever = grantCredit("dora", "2.00", "USD", "newer", "2026-03-05T00:00:00Z", null);
    long euros = grantCredit("dora", "1.00", "EUR", "euros", "2026-03-01T00:00:00Z", null);
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    // 10.00 due: may 4.00, june 2.50, then the older of the two that never expire, partially
    assertEquals(
        List.of(
            "usage cpu usage cpu 200 core-hours 0.05 10.00",
            "credit Credit: may null null null null -4.00",
            "credit Credit: june null null null null -2.50",
            "credit Credit: large null null null null -3.50"),
        lines(invoiceId("dora", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z paid INV-2026-000001 10.00 10.00 0.00"),
        invoices("dora"));
    assertEquals(
        List.of("3.00", "16.50", "0.00", "0.00", "2.00", "1.00"),
        List.of(
            remaining(midPeriod),
            remaining(never),
            remaining(later),
            remaining(sooner),
            remaining(newerNever),
            remaining(euros)));
    assertEquals("10.00", value("SELECT sum(amount)::text FROM billing_credit_applications"));
    assertEquals(3L, value("SELECT count(*) FROM billing_credit_applications"));
  }

  @Test
  void aZeroTotalIsPaidAtOnce() {
    billing.userCreated("erin", java.util.Map.of());
    billing.flush();

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z paid INV-2026-000001 0.00 0.00 0.00"),
        invoices("erin"));
    assertEquals(1L, value("SELECT count(*) FROM billing_invoices WHERE paid_at IS NOT NULL"));
    List<String> events = billing.context.published();
    assertEquals(2, events.size(), events.toString());
    assertTrue(events.get(0).startsWith("billing.invoice.created "), events.get(0));
    assertTrue(events.get(1).startsWith("billing.invoice.paid "), events.get(1));
    assertTrue(events.get(0).contains("\"invoice_number\":\"INV-2026-000001\""), events.get(0));
    assertTrue(events.get(0).contains("\"total\":0.00"), events.get(0));
  }

  @Test
  void lateUsageInsideTheGraceLandsOnTheDraftAndAfterFinalizationOnTheNextInvoice()
      throws Exception {
    billing.userCreated("fay", java.util.Map.of());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    long march = invoiceId("fay", "2026-03-01T00:00:00Z");
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z draft null 0 0 0"), invoices("fay"));

    // delivered late, inside the grace: one core for an hour of March
    billing.created("2026-03-31T22:00:00Z", "s1", "fay", size("1", "0", "0"));
    billing.terminated("2026-03-31T23:00:00Z", "s1", "fay");
    billing.calculateUsageAt("2026-04-01T00:40:00Z");
    assertEquals(
        List.of("USAGE cpu 1 0.05"),
        new InvoiceCalculator(billing.context.dataSource(), BillingConfig::defaults)
            .preview(march).orElseThrow().stream()
                .map(
                    l ->
                        l.kind()
                            + " "
                            + l.unit().resourceType()
                            + " "
                            + l.quantity()
                            + " "
                            + l.amount())
                .toList(),
        "the draft's preview shows it, claiming nothing");
    assertEquals(
        0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NOT NULL"));
    billing.runAt(FINALIZE_INVOICES, "2026-04-01T01:00:00Z");

    // delivered after finalization: two more core-hours of March
    billing.created("2026-03-31T20:00:00Z", "s2", "fay", size("2", "0", "0"));
    billing.terminated("2026-03-31T21:00:00Z", "s2", "fay");
    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-04-01T03:00:00Z");
    billing.created("2026-04-10T10:00:00Z", "s3", "fay", size("4", "0", "0"));
    billing.terminated("2026-04-10T11:00:00Z", "s3", "fay");
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    // March: 1 core-hour; April: 2 late core-hours of March + 4 of April = 6 = 0.30
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 0.05 0.00 0.05",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.30 0.00 0.30"),
        invoices("fay"));
    assertEquals(0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NULL"));
    assertEquals(3L, value("SELECT count(DISTINCT session_id) FROM billing_usage_records"));
  }

  @Test
  void reRunningGenerateInvoicesChangesNothing() {
    billing.created("2026-03-10T10:00:00Z", "s1", "gus", size("1", "1", "1"));
    billing.terminated("2026-03-10T12:00:00Z", "s1", "gus");
    billing.userCreated("hal", java.util.Map.of());
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    JobRun first = billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    List<String> before = snapshot();

    JobRun again = billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    JobRun later = billing.runAt(GENERATE_INVOICES, "2026-04-10T00:00:00Z");

    assertEquals(4, first.rowsTouched(), "2 drafts opened, 2 finalized");
    assertEquals(0, again.rowsTouched());
    assertEquals(0, later.rowsTouched());
    assertEquals(before, snapshot());
  }

  @Test
  void anAccountOpenedAfterThePeriodEndedGetsNoInvoiceForIt() {
    billing.clock.set(at("2026-04-01T00:30:00Z"));
    billing.userCreated("ivy", java.util.Map.of());

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(List.of(), invoices("ivy"));
  }

  @Test
  void aSentInvoicePastItsDueDateBecomesOverdueOnce() {
    jaysMarchInvoiceIsSentOnApril1();

    JobRun early = billing.runAt(FINALIZE_INVOICES, "2026-04-15T00:59:00Z");
    JobRun due = billing.runAt(FINALIZE_INVOICES, "2026-04-15T01:00:00Z");
    JobRun again = billing.runAt(FINALIZE_INVOICES, "2026-04-15T01:15:00Z");

    assertEquals(
        List.of(0L, 1L, 0L), List.of(early.rowsTouched(), due.rowsTouched(), again.rowsTouched()));
    assertEquals("overdue", value("SELECT status FROM billing_invoices WHERE user_id = 'jay'"));
    assertEquals(
        1,
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.invoice.overdue "))
            .count());
  }

  /**
   * One draft that cannot be finalized (an unknown currency, read back as an error) fails the
   * run, but dunning still happens: jay's invoice, finalized at 2026-04-01 01:00 and due 14
   * days later, becomes overdue at 2026-04-15 01:00 all the same.
   */
  @Test
  void aDraftThatCannotBeFinalizedDoesNotStopDunning() {
    jaysMarchInvoiceIsSentOnApril1();
    billing.userCreated("kim", java.util.Map.of());
    billing.flush();
    InvoiceFixtures.invoice(
        "kim",
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
        "draft",
        null,
        "ZZZ",
        "0",
        "0",
        "0",
        null,
        null);

    billing.clock.set(at("2026-04-15T01:00:00Z"));
    JobRun due = billing.context.scheduler().runNow(FINALIZE_INVOICES).toCompletableFuture().join();

    assertEquals(JobOutcome.FAILED, due.outcome());
    assertEquals("overdue", value("SELECT status FROM billing_invoices WHERE user_id = 'jay'"));
    assertEquals("draft", value("SELECT status FROM billing_invoices WHERE user_id = 'kim'"));
  }

  /** jay uses a core for an hour in March, invoiced (sent, due in 14 days) on April 1 01:00. */
  private void jaysMarchInvoiceIsSentOnApril1() {
    billing.created("2026-03-10T10:00:00Z", "s1", "jay", size("1", "0", "0"));
    billing.terminated("2026-03-10T11:00:00Z", "s1", "jay");
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
  }

  private static List<String> snapshot() {
    return BillingHarness.rows(
            """
        SELECT i.id, i.status, i.invoice_number, i.total, count(l.line_no),
               (SELECT count(*) FROM billing_usage_billed r WHERE r.invoice_id = i.id),
               (SELECT last_number FROM billing_invoice_numbers)
        FROM billing_invoices i LEFT JOIN billing_invoice_lines l ON l.invoice_id = i.id
        GROUP BY i.id ORDER BY i.id""")
        .stream()
        .map(Object::toString)
        .toList();
  }
}
