package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each billing mode, and both currencies, through the whole path: events through the plugin's
 * hooks, calculate-usage, generate-invoices (which finalizes at once once the grace is over),
 * and the finalized invoice and its lines read back from the database, with figures worked out
 * by hand. Every account opens at the period start (2026-03-01 00:00 UTC), so a plan held all
 * period costs exactly its price. Defaults unless said: USD, UTC, invoice day 1, one hour of
 * grace; 0.05 per core-hour, 0.01 per GB-hour; plans Free (0; 2 cores, 4 GB, 10 GB), Pro
 * (29.99; 8 cores, 16 GB, 100 GB) and Enterprise (99.99; 32 cores, 64 GB, 500 GB).
 */
class BillingModesScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";

  /** Past midnight of April 1 and its hour of grace: March is invoiced and finalized at once. */
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private void open(String configJson) {
    billing = new BillingHarness(at(MARCH), configJson);
  }

  private static String mode(String billingMode) {
    return "{\"billingMode\": \"" + billingMode + "\"}";
  }

  /** Rates every event delivered so far, then generates (and finalizes) the March invoices. */
  private void invoiceMarch() {
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
  }

  /** One session of that size, from {@code from} to {@code to}. */
  private void session(
      String id,
      String userId,
      String from,
      String to,
      String cores,
      String memoryGb,
      String storageGb) {
    billing.created(from, id, userId, size(cores, memoryGb, storageGb));
    billing.terminated(to, id, userId);
  }

  /**
   * Usage mode, one run, two currencies. alice (USD): 3 cores and 2 GB for 1 h 30 min: 4.5
   * core-hours × 0.05 = 0.225 → 0.23, 3 GB-hours × 0.01 = 0.03; 0.26 in all. thu (VND, no minor
   * unit): 1 core and 1 GB for 20 minutes: 1/3 core-hour × 1,250 = 416.67 → 417 and 1/3 GB-hour
   * × 250 = 83.33 → 83; 500 in all, in whole dong. Each invoice is in its account's currency,
   * and the two take the year's first two numbers, one each.
   */
  @Test
  void aUsdAccountAndAVndAccountAreInvoicedInTheSameRunEachInItsOwnCurrency() {
    open(BillingHarness.USD_AND_VND_CONFIG);
    billing.userCreated("alice", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    session("s1", "alice", "2026-03-05T10:00:00Z", "2026-03-05T11:30:00Z", "3", "2", "0");
    session("s2", "thu", "2026-03-05T10:00:00Z", "2026-03-05T10:20:00Z", "1", "1", "0");

    invoiceMarch();

    assertEquals(
        List.of(
            "usage cpu usage cpu 4.5 core-hours 0.05 0.23",
            "usage memory usage memory 3 gb-hours 0.01 0.03"),
        lines(invoiceId("alice", MARCH)));
    assertEquals(
        List.of(
            "usage cpu usage cpu 0.333333 core-hours 1250 417",
            "usage memory usage memory 0.333333 gb-hours 250 83"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of(
            List.of("alice", "USD", "sent", "0.26", "0.00", "0.26"),
            List.of("thu", "VND", "sent", "500", "0", "500")),
        rows(
            """
            SELECT user_id, currency, status, subtotal::text, credits_applied::text, total::text
            FROM billing_invoices ORDER BY user_id"""));
    assertEquals(
        List.of(List.of("INV-2026-000001"), List.of("INV-2026-000002")),
        rows("SELECT invoice_number FROM billing_invoices ORDER BY invoice_number"),
        "one number each, from the one gapless sequence");
  }

  /**
   * Subscription mode: pat is on Pro all March and runs 20 cores, 40 GB and 300 GB (far beyond
   * Pro's 8, 16 and 100) for 10 hours. The invoice is the fee, 29.99, and nothing else: the
   * usage is claimed by the invoice (so it cannot turn up on April's) but not charged.
   */
  @Test
  void subscriptionModeChargesTheWholeFeeAndNoUsageWhateverWasUsed() {
    open(mode("subscription"));
    billing.userCreated("pat", Map.of("plan", "pro"));
    session("s1", "pat", "2026-03-12T08:00:00Z", "2026-03-12T18:00:00Z", "20", "40", "300");

    invoiceMarch();

    long march = invoiceId("pat", MARCH);
    assertEquals(
        List.of("plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 29.99 29.99"), lines(march));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 29.99 0.00 29.99"),
        invoices("pat"));
    assertEquals(
        0L,
        value(
            """
        SELECT count(*) FROM billing_usage_billed
        WHERE user_id = 'pat' AND slice_start < '2026-04-01Z' AND invoice_id IS DISTINCT FROM ?
        """,
            march),
        "every March record is claimed by the March invoice");
  }

  /**
   * The seed README's golden example, in hybrid mode. ann, on Pro (8 cores included), runs 10
   * cores from 10:00 to 11:00: 10 × 3,600 − 8 × 3,600 = 7,200 core-seconds = 2 core-hours over,
   * × 0.05 = 0.10; with the fee, 29.99 + 0.10 = 30.09. bob, also on Pro, runs exactly at every
   * limit (8 cores, 16 GB, 100 GB of storage, the storage kept to the period end): no overage,
   * the fee only.
   */
  @Test
  void hybridGoldenExampleTenCoresOnProForAnHourPayTheFeePlusTwoCoreHoursOfOverage() {
    open(mode("hybrid"));
    billing.userCreated("ann", Map.of("plan", "pro"));
    billing.userCreated("bob", Map.of("plan", "pro"));
    session("s1", "ann", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", "10", "0", "0");
    session("s2", "bob", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", "8", "16", "100");

    invoiceMarch();

    String fee = "plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 29.99 29.99";
    assertEquals(
        List.of(fee, "overage cpu overage cpu 2 core-hours 0.05 0.10"),
        lines(invoiceId("ann", MARCH)));
    assertEquals(List.of(fee), lines(invoiceId("bob", MARCH)));
    assertEquals(
        List.of("30.09 0.00 30.09", "29.99 0.00 29.99"), List.of(totals("ann"), totals("bob")));
  }

  /**
   * Hybrid mode, a change of plan mid-cycle through {@code PUT /subscription} with the clock at
   * 2026-03-16 12:34:56. dan runs 40 cores and 20 GB from 11:00 to 14:00 that day.
   *
   * <p>Fees, prorated to the second over March (744 h = 2,678,400 s): Pro for 15 d 12:34:56 =
   * 1,341,296 s: 29.99 × 1,341,296 / 2,678,400 = 15.01847 → 15.02; Enterprise for the other
   * 1,337,104 s: 99.99 × 1,337,104 / 2,678,400 = 49.91675 → 49.92.
   *
   * <p>Overage, per hour against Σ limit × seconds of each plan held in it: 11:00 is Pro's, 40
   * − 8 = 32 core-hours (115,200 core-seconds) and 20 − 16 = 4 GB-hours over. 12:00 holds the
   * change at 12:34:56: Pro for 2,096 s and Enterprise for 1,504 s, so the cpu allowance is 8 ×
   * 2,096 + 32 × 1,504 = 64,896 core-seconds against 40 × 3,600 = 144,000 used: 79,104 over;
   * memory 16 × 2,096 + 64 × 1,504 = 129,792 against 72,000: none. 13:00 is Enterprise's: 40 −
   * 32 = 8 core-hours (28,800) and no memory. cpu 223,104 core-seconds = 61.973333 core-hours
   * × 0.05 = 3.0986… → 3.10; memory 4 GB-hours × 0.01 = 0.04. Subtotal and total: 15.02 +
   * 49.92 + 3.10 + 0.04 = 68.08.
   */
  @Test
  void aMidCycleChangeInHybridModeIsTwoProratedFeesAndOverageAgainstThePlansOfEachHour() {
    open(mode("hybrid"));
    billing.userCreated("dan", Map.of("plan", "pro"));
    billing.created("2026-03-16T11:00:00Z", "s1", "dan", size("40", "20", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-16T12:34:56Z"));

    Answer changed =
        billing.call(HttpMethod.PUT, "/subscription", user("dan"), "{\"plan_id\": \"enterprise\"}");
    billing.terminated("2026-03-16T14:00:00Z", "s1", "dan");
    invoiceMarch();

    assertEquals(200, changed.status(), changed.body().toString());
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-01 – 2026-03-16 null null null 29.99 15.02",
            "plan_fee Enterprise, 2026-03-16 – 2026-04-01 null null null 99.99 49.92",
            "overage cpu overage cpu 61.973333 core-hours 0.05 3.10",
            "overage memory overage memory 4 gb-hours 0.01 0.04"),
        lines(invoiceId("dan", MARCH)));
    assertEquals("68.08 0.00 68.08", totals("dan"));
  }

  /**
   * Subscription mode with a credit larger than the invoice: an admin grants eve 50.00 through
   * {@code POST /admin/credits}; March's Pro fee of 29.99 is covered whole, so the total is 0.00
   * and the invoice is paid at once; 50.00 − 29.99 = 20.01 is left, which {@code GET /credits}
   * shows as eve's balance.
   */
  @Test
  void aCreditLargerThanTheSubscriptionFeePaysTheInvoiceAtOnceAndTheRestRemains() {
    open(mode("subscription"));
    billing.userCreated("eve", Map.of("plan", "pro"));
    billing.flush();
    billing.clock.set(at("2026-03-20T09:00:00Z"));
    Answer granted =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\": \"eve\", \"amount\": 50.00, \"reason\": \"goodwill\"}");
    session("s1", "eve", "2026-03-20T10:00:00Z", "2026-03-20T12:00:00Z", "4", "8", "0");

    invoiceMarch();

    assertEquals(201, granted.status(), granted.body().toString());
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 29.99 29.99",
            "credit Credit: goodwill null null null null -29.99"),
        lines(invoiceId("eve", MARCH)));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z paid INV-2026-000001 29.99 29.99 0.00"),
        invoices("eve"));
    assertEquals("20.01", remaining(granted.body().get("id").asLong()));
    assertEquals(
        "20.01",
        billing
            .call(HttpMethod.GET, "/credits", user("eve"))
            .body()
            .get("balance")
            .decimalValue()
            .toPlainString());
    assertEquals(
        List.of("billing.invoice.created", "billing.invoice.paid"),
        billing.context.published().stream()
            .map(e -> e.split(" ", 2)[0])
            .filter(type -> type.startsWith("billing.invoice."))
            .toList());
  }

  /**
   * An admin invoices part of a period; the regular run bills the rest of it. Hybrid, zoe on Pro
   * from March 1, 10 cores for an hour on March 5 and again on March 20 (2 core-hours over
   * each, 0.10). At 2026-03-10 12:00 an admin invoices 1–10 March: 29.99 × 9/31 = 8.7067… →
   * 8.71, plus 0.10 = 8.81. On April 1 generate-invoices opens [10 Mar, 1 Apr) (not skipped
   * for overlapping the admin's invoice): 29.99 × 22/31 = 21.2829… → 21.28, plus the March 20
   * overage 0.10 = 21.38. The two fees make 8.71 + 21.28 = 29.99, the month's price. A re-run
   * opens nothing. (The admin's invoice, due 14 days after March 10, is overdue by then.)
   */
  @Test
  void afterAnAdminInvoicedPartOfAPeriodTheRunBillsTheRestOfIt() {
    open(mode("hybrid"));
    billing.userCreated("zoe", Map.of("plan", "pro"));
    session("s1", "zoe", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", "10", "0", "0");
    billing.calculateUsageAt("2026-03-10T12:00:00Z");
    Answer admins =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices",
            admin("root"),
            "{\"user_id\": \"zoe\", \"period_start\": \"2026-03-01\","
                + " \"period_end\": \"2026-03-10\", \"reason\": \"test\"}");
    session("s2", "zoe", "2026-03-20T10:00:00Z", "2026-03-20T11:00:00Z", "10", "0", "0");

    invoiceMarch();
    long again = billing.runAt(GENERATE_INVOICES, AFTER_GRACE).rowsTouched();

    assertEquals(201, admins.status(), admins.body().toString());
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-03-10T00:00:00Z overdue INV-2026-000001 8.81 0.00 8.81",
            "2026-03-10T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000002 21.38 0.00 21.38"),
        invoices("zoe"));
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-10 – 2026-04-01 null null null 29.99 21.28",
            "overage cpu overage cpu 2 core-hours 0.05 0.10"),
        lines(invoiceId("zoe", "2026-03-10T00:00:00Z")));
    assertEquals(0L, again);
  }

  /** The user's only invoice as {@code "subtotal credits total"}. */
  private static String totals(String userId) {
    List<String> all = invoices(userId);
    assertEquals(1, all.size(), all.toString());
    String[] fields = all.get(0).split(" ");
    return String.join(" ", List.of(fields).subList(fields.length - 3, fields.length));
  }
}
