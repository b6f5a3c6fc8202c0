package io.streamspace.billing.corrections;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.event;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.metering.MeteringStore;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Usage corrections end to end in the plugin, against real PostgreSQL, with figures worked out by
 * hand. Defaults: usage mode, USD, UTC, invoice day 1, one hour of grace, a heartbeat timeout
 * (the late-event grace) of 10 minutes; 0.05 per core-hour, 0.01 per GB-hour.
 *
 * <p>The story: alice ran s1 on 2026-03-02 from 10:00 to 14:00 with 2 cores and 4 GB: 8
 * core-hours (0.40) and 16 GB-hours (0.16) in March.
 */
class CorrectionsTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private void aliceRanS1() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T15:00:00Z");
  }

  /** March invoiced: INV-2026-000001, cpu 0.40 and memory 0.16. */
  private void marchInvoiced() {
    billing.calculateUsageAt("2026-04-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:30:00Z");
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.56 0.00 0.56"),
        invoices("alice"));
  }

  private static final String CPU_4_FROM_11_TO_13 =
      """
      {"reason": "the platform reported 2 cores, s1 held 4 from 11:00 to 13:00",
       "items": [{"amend": {"session_id": "s1", "from": "2026-03-02T11:00:00Z",
                            "to": "2026-03-02T13:00:00Z", "cpu_cores": 4}}]}""";

  private Answer post(String body, String key) {
    return billing.call(
        HttpMethod.POST,
        "/admin/corrections",
        admin("root"),
        body,
        key == null ? Map.of() : Map.of("idempotency-key", key));
  }

  private static JsonNode invoice(Answer answer, int i) {
    return answer.body().path("invoices").path(i);
  }

  @Test
  void amendingASessionsCpuBeforeItsPeriodIsInvoicedBillsTheCorrectedUsageOnThatInvoice() {
    aliceRanS1();
    billing.clock.set(at("2026-03-03T00:00:00Z"));

    Answer answer = post(CPU_4_FROM_11_TO_13, null);

    // 2 more cores for 2 hours: 4 core-hours, 0.20, on March's invoice (not drafted yet)
    assertEquals(201, answer.status(), answer.body().toString());
    JsonNode march = invoice(answer, 0);
    assertEquals("on_invoice", march.path("outcome").asText());
    assertEquals("0.56 0.76 0.20", figures(march));
    assertEquals("cpu usage 0.40 0.60", line(march, 0));
    marchInvoiced("0.76");
    assertEquals(
        List.of(
            "usage cpu usage cpu 12 core-hours 0.05 0.60",
            "usage memory usage memory 16 gb-hours 0.01 0.16"),
        lines(invoiceId("alice", "2026-03-01T00:00:00Z")));
  }

  @Test
  void amendingCpuAfterTheInvoiceBillsTheDifferenceOnTheNextInvoice_andUsageShowsItCorrected() {
    aliceRanS1();
    marchInvoiced();
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer answer = post(CPU_4_FROM_11_TO_13, null);

    assertEquals(201, answer.status(), answer.body().toString());
    JsonNode march = invoice(answer, 0);
    assertEquals("INV-2026-000001", march.path("invoice_number").asText());
    assertEquals("correction_line", march.path("outcome").asText());
    assertEquals("0.56 0.76 0.20", figures(march));
    long id = answer.body().path("id").asLong();
    // the finalized invoice never changes; April's bills the difference, naming the correction
    assertEquals(
        List.of(
            "usage cpu usage cpu 8 core-hours 0.05 0.40",
            "usage memory usage memory 16 gb-hours 0.01 0.16"),
        lines(invoiceId("alice", "2026-03-01T00:00:00Z")));
    billing.calculateUsageAt("2026-05-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:30:00Z");
    long april = invoiceId("alice", "2026-04-01T00:00:00Z");
    assertEquals(
        List.of(
            "correction Correction "
                + id
                + " to INV-2026-000001 (2026-03-01 – 2026-04-01): cpu usage cpu 4 core-hours"
                + " 0.05 0.20"),
        lines(april));
    // explained down to the correction's records: two slices of 2 more cores, 0.10 each
    Answer explained =
        billing.call(HttpMethod.GET, "/invoices/" + april + "/lines/1/explain", user("alice"));
    assertEquals(200, explained.status(), explained.body().toString());
    assertEquals("0.20", explained.body().at("/sums/total").decimalValue().toPlainString());
    JsonNode records = explained.body().path("records");
    assertEquals(3, records.size(), records.toString());
    assertEquals("correction_record s1 2026-03-02T11:00:00Z 2 0.10", record(records.path(0)));
    assertEquals("correction_record s1 2026-03-02T12:00:00Z 2 0.10", record(records.path(1)));
    assertTrue(
        records.path(0).path("detail").asText().contains("amend_sizes s1"), records.toString());
    assertEquals(
        "INV-2026-000001's line as billed 0.40, as corrected 0.60: 0.20 more",
        records.path(2).path("detail").asText());
    // /usage of March shows it as corrected, as if known from the start: 8 + 4 = 12 core-hours
    // at 0.05, 0.60, and 16 GB-hours at 0.01, 0.16: 0.76 (it said 0.56 before); and what the
    // correction changed: 4 core-hours, 0.20. /usage/daily's March 2 (the first of 61 days to
    // May 1, the clock's day) says the same.
    JsonNode usage =
        billing.call(HttpMethod.GET, "/usage?from=2026-03-01&to=2026-04-01", user("alice")).body();
    assertEquals(
        """
        {"user_id":"alice","period_start":"2026-03-01T00:00:00Z",\
        "period_end":"2026-04-01T00:00:00Z","currency":"USD","lines":[\
        {"resource_type":"cpu","quantity":12,"unit":"core-hours","unit_price":0.05,\
        "total_cost":0.60},\
        {"resource_type":"memory","quantity":16,"unit":"gb-hours","unit_price":0.01,\
        "total_cost":0.16}],"total_cost":0.76,"corrections":[\
        {"correction_id":%d,"resource_type":"cpu","quantity":4,"unit":"core-hours",\
        "cost":0.20}]}"""
            .formatted(id),
        usage.toString());
    JsonNode days =
        billing.call(HttpMethod.GET, "/usage/daily?days=61", user("alice")).body().path("days");
    assertEquals(
        "[{\"resource_type\":\"cpu\",\"quantity\":12,\"unit\":\"core-hours\",\"cost\":0.60},"
            + "{\"resource_type\":\"memory\",\"quantity\":16,\"unit\":\"gb-hours\","
            + "\"cost\":0.16}]",
        days.path(0).path("resources").toString(),
        days.path(0).toString());
  }

  @Test
  void cancellingAHeartbeatThatChangedASizeCreditsTheFinalizedInvoiceThroughTheCreditNotes() {
    // s1 grew to 8 cores at 12:00 (hb-8): 2 × 2 + 8 × 2 = 20 core-hours, 1.00
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Issued issued = new Issued();

    CorrectionView view =
        correct(node(issued, Corrections.StepListener.NONE), CANCEL_HB8, "k-cancel");

    // without hb-8 s1 held 2 cores all along: 8 core-hours, 0.40; March is credited 0.60 on
    // its cpu line (line 1), through the credit notes, once
    long march = invoiceId("alice", "2026-03-01T00:00:00Z");
    assertEquals("credit_note 1.16 0.56 -0.60", effect(view.invoices().get(0)));
    assertEquals(
        List.of("invoice " + march + " {1=0.60} why correction:" + view.id() + ":invoice:" + march),
        issued.notes);
    assertEquals("issued", view.invoices().get(0).creditNote().status());
    assertEquals(List.of(1L), issued.committed, "told once its transaction committed");
    assertEquals(
        List.of(
            "usage cpu usage cpu 20 core-hours 0.05 1.00",
            "usage memory usage memory 16 gb-hours 0.01 0.16"),
        lines(march));
  }

  /**
   * The same cancel through the admin's route, on the plugin as wired: a real credit note,
   * CN-2026-000001 of 0.60 on March's cpu line, its amount due 1.16 − 0.60 = 0.56, once for two
   * requests under one key.
   */
  @Test
  void throughTheRouteTheCreditIsARealCreditNoteLoweringWhatIsDue_once() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer first = post(CANCEL_HB8, "k-real");
    Answer again = post(CANCEL_HB8, "k-real");

    assertEquals(201, first.status(), first.toString());
    assertEquals(first.body().path("id"), again.body().path("id"));
    long march = invoiceId("alice", "2026-03-01T00:00:00Z");
    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("alice")).body();
    JsonNode note = invoice.path("credit_notes").path(0);
    assertEquals(1, invoice.path("credit_notes").size(), invoice.toString());
    assertEquals("CN-2026-000001", note.path("credit_note_number").asText(), note.toString());
    assertEquals(new BigDecimal("0.60"), note.path("amount").decimalValue());
    assertEquals(new BigDecimal("0.56"), invoice.path("amount_due").decimalValue());
    assertEquals(
        "issued",
        billing
            .call(HttpMethod.GET, "/corrections", user("alice"))
            .body()
            .at("/corrections/0/invoices/0/credit_note/status")
            .asText());
  }

  @Test
  void amendingAUsageReportAfterItsInvoiceCreditsTheCountersLineOnIt() {
    aliceRanS1();
    // 1,100 AI queries, 100 of them included: 1,000 over at 0.001, 1.00
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "q-1",
            at("2026-03-03T09:00:00Z"),
            "alice",
            "ai_queries",
            new BigDecimal("1100"),
            null));
    marchInvoiced("1.56");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Issued issued = new Issued();

    CorrectionView view =
        correct(
            node(issued, Corrections.StepListener.NONE),
            """
            {"reason": "counted twice", "items": [{"amend": {"event_id": "q-1", "quantity": 600}}]}""",
            "k-q1");

    // 600 queries, 500 over: 0.50; the overage line (line 3) credited 0.50
    long march = invoiceId("alice", "2026-03-01T00:00:00Z");
    assertEquals("credit_note 1.56 1.06 -0.50", effect(view.invoices().get(0)));
    assertEquals(
        List.of(
            "invoice "
                + march
                + " {3=0.50} counted twice correction:"
                + view.id()
                + ":invoice:"
                + march),
        issued.notes);
    assertEquals(
        "600",
        value(
                "SELECT sum(quantity)::text FROM billing_usage_reports WHERE event_id = 'q-1'"
                    + " OR corrects_event_id = 'q-1'")
            .toString());
  }

  private static final String CANCEL_HB8 =
      """
      {"reason": "why", "items": [{"cancel": {"event_id": "hb-8"}}]}""";

  /**
   * s1 ran 2 cores from 10:00 and 8 from 12:00 (hb-8) to 14:00: 20 core-hours (1.00) and 16
   * GB-hours (0.16), 1.16 on INV-2026-000001. An admin's goodwill note credits 0.90 of the cpu
   * line, which then holds 0.10, and 1.16 − 0.90 = 0.26 is due. Cancelling hb-8 makes cpu 8
   * core-hours, 0.40: 0.60 less, beyond what the line holds. The correction's note credits the
   * 0.10 it holds (due 0.26 − 0.10 = 0.16), and the other 0.50 becomes an account credit naming
   * the correction: once, for two requests at once under its key and a retry. (Before, the credit
   * notes refused the 0.60 and it waited pending for good.) The next correction, 4 cores from
   * 11:00 to 13:00 over the corrected 2, is 4 core-hours more, 0.20, a correction line on April's
   * invoice, which the account credit pays: 0.20 − 0.20 = 0.00, 0.50 − 0.20 = 0.30 left.
   */
  @Test
  void aCreditBeyondWhatTheInvoiceHolds_isANoteForWhatItHoldsAndAnAccountCreditForTheRest_once()
      throws Exception {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    long march = invoiceId("alice", "2026-03-01T00:00:00Z");
    Answer byHand =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices/" + march + "/credit-notes",
            admin("root"),
            """
            {"lines": [{"line": 1, "amount": "0.90"}], "reason": "goodwill", "refund": "none"}""");
    assertEquals(201, byHand.status(), byHand.body().toString());

    ExecutorService nodes = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Answer>> racing = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      racing.add(
          nodes.submit(
              () -> {
                start.await();
                return post(CANCEL_HB8, "k-cancel");
              }));
    }
    start.countDown();
    Answer cancelled = racing.get(0).get();
    Answer other = racing.get(1).get();
    nodes.shutdown();
    Answer retried = post(CANCEL_HB8, "k-cancel");

    assertEquals(201, cancelled.status(), cancelled.body().toString());
    assertEquals(cancelled.body().path("id"), other.body().path("id"), other.toString());
    assertEquals(cancelled.body().path("id"), retried.body().path("id"));
    JsonNode credit = invoice(retried, 0).path("credit_note");
    assertEquals("credit_note 1.16 0.56 -0.60", outcome(invoice(retried, 0)));
    assertEquals(
        "issued 0.50", credit.path("status").asText() + " " + credit.get("account_credit"));
    JsonNode march1 = billing.call(HttpMethod.GET, "/invoices/" + march, admin("root")).body();
    assertEquals(new BigDecimal("0.16"), march1.path("amount_due").decimalValue());
    long id = cancelled.body().path("id").asLong();
    assertEquals(
        List.of(List.of("0.10", "correction:" + id + ":invoice:" + march)),
        BillingHarness.rows(
            "SELECT amount::text, request_key FROM billing_credit_notes"
                + " WHERE request_key LIKE 'correction:%'"));
    assertEquals(
        List.of(
            List.of(
                "0.50",
                "correction",
                "what INV-2026-000001 could not hold of correction:"
                    + id
                    + ":invoice:"
                    + march
                    + ": why",
                credit.path("credit_id").asLong())),
        BillingHarness.rows("SELECT amount::text, kind, reason, id FROM billing_credits"));
    assertEquals(1, billing.published(BillingEvents.CREDIT_GRANTED).size());

    Answer next = post(CPU_4_FROM_11_TO_13, "k-next");
    billing.calculateUsageAt("2026-05-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:30:00Z");

    assertEquals("correction_line 0.56 0.76 0.20", outcome(invoice(next, 0)));
    assertEquals(
        "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z paid INV-2026-000002 0.20 0.20 0.00",
        invoices("alice").get(1));
    assertEquals("0.30", value("SELECT remaining::text FROM billing_credits"));
  }

  private static String outcome(JsonNode invoice) {
    return invoice.path("outcome").asText() + " " + figures(invoice);
  }

  /**
   * s1 reported 146 GB of storage at 09:00 and, by heartbeat hb-x, none from 10:00; s2 none again
   * at 20:00. Cancelled, hb-x's level gives way to the one before it until the next one: 146 GB
   * from 09:00 to 20:00, 1,606 GB-hours, 2.2 GB-months, 0.22 where March billed 0.02 (the first
   * hour). Then s1's storage amended to none from 11:15 to 16:15, over the cancelled level: 730
   * GB-hours less, 0.10 credited. (Found by CorrectionsPropertyTest: the levels a correction read
   * started at the cancelled one, and then at the level an earlier correction had cancelled, so
   * the corrected history had no storage there and neither changed the money.)
   */
  @Test
  void cancellingAHeartbeatThatDroppedTheStorageLevelBillsTheLevelBeforeIt_untilTheNextOne() {
    billing.created("2026-03-02T09:00:00Z", "s1", "alice", size("1", "1", "146"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-x", "2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0")));
    billing.terminated("2026-03-02T17:00:00Z", "s1", "alice");
    billing.session(
        "s2", "alice", "2026-03-02T20:00:00Z", "2026-03-02T21:00:00Z", size("1", "1", "0"));
    // 9 core-hours (0.45), 9 GB-hours (0.09), 146 GB-hours of storage (0.2 GB-months, 0.02)
    marchInvoiced("0.56");
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer cancelled =
        post(
            """
            {"reason": "hb-x reported no storage by mistake",
             "items": [{"cancel": {"event_id": "hb-x"}}]}""",
            null);
    Answer amended =
        post(
            """
            {"reason": "s1's volume was detached from 11:15 to 16:15",
             "items": [{"amend": {"session_id": "s1", "from": "2026-03-02T11:15:00Z",
                                  "to": "2026-03-02T16:15:00Z", "storage_gb": 0}}]}""",
            null);

    assertEquals(201, cancelled.status(), cancelled.body().toString());
    assertEquals("0.56 0.76 0.20", figures(invoice(cancelled, 0)));
    assertEquals("storage usage 0.02 0.22", line(invoice(cancelled, 0), 0));
    assertEquals(201, amended.status(), amended.body().toString());
    assertEquals("credit_note 0.76 0.66 -0.10", outcome(invoice(amended, 0)));
    // the storage line holds 0.02 of the 0.10: the rest, which April's correction line bills,
    // is credited on the invoice as a whole
    assertEquals(
        "{\"0\":0.08,\"3\":0.02}", invoice(amended, 0).at("/credit_note/lines").toString());
    assertEquals("issued", invoice(amended, 0).at("/credit_note/status").asText());
  }

  /**
   * s1 reported 438 GB of storage from 09:00, s2 none from 10:10; s2's storage amended to 438 GB
   * from 10:40 to 12:20: 730 GB-hours more, one GB-month, 0.10. The hour from 10:00 is rated again
   * whole, from the level in effect at its start (found by CorrectionsPropertyTest: read from
   * s2's level at 10:10, it had none from 10:00 to 10:10, and 73 GB-hours went missing).
   */
  @Test
  void amendingTheStorageLevelRatesItsFirstSliceAgainFromTheLevelInEffectAtTheSlicesStart() {
    billing.session(
        "s1", "alice", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", size("1", "1", "438"));
    billing.session(
        "s2", "alice", "2026-03-02T10:10:00Z", "2026-03-02T16:10:00Z", size("1", "1", "0"));
    // 7 core-hours (0.35), 7 GB-hours (0.07), 511 GB-hours of storage (0.7 GB-months, 0.07)
    marchInvoiced("0.49");
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer amended =
        post(
            """
            {"reason": "s2 held s1's volume from 10:40 to 12:20",
             "items": [{"amend": {"session_id": "s2", "from": "2026-03-02T10:40:00Z",
                                  "to": "2026-03-02T12:20:00Z", "storage_gb": 438}}]}""",
            null);

    assertEquals(201, amended.status(), amended.body().toString());
    assertEquals("0.49 0.59 0.10", figures(invoice(amended, 0)));
  }

  @Test
  void eventsOlderThanTheGraceAreBackfilled_newerOnesAreRefusedNamingTheFieldWithNothingChanged() {
    aliceRanS1();
    billing.clock.set(at("2026-03-10T00:10:00Z"));
    Map<String, String> before = tableContents();

    Answer refused =
        post(
            """
            {"reason": "lost", "items": [{"backfill": {"events": [
              {"id": "late-1", "type": "session.heartbeat", "occurred_at": "2026-03-10T00:05:00Z",
               "session": {"session_id": "s1", "user_id": "alice"}}]}}]}""",
            null);

    assertEquals(400, refused.status());
    assertEquals("items[0].backfill.events[0].occurred_at", refused.errorField());
    assertEquals(before, tableContents());

    // s9 was lost: 1 core and 2 GB from 09:00 to 11:00 on the 5th, 0.10 + 0.04
    Answer answer = post(LOST_S9, null);

    assertEquals(201, answer.status(), answer.body().toString());
    assertEquals("on_invoice", invoice(answer, 0).path("outcome").asText());
    assertEquals("0.56 0.70 0.14", figures(invoice(answer, 0)));
    marchInvoiced("0.70");
    assertEquals(
        1,
        billing.published(BillingEvents.USAGE_CORRECTED).size(),
        "billing.usage.corrected once: " + billing.published(BillingEvents.USAGE_CORRECTED));
    assertTrue(
        billing.published(BillingEvents.USAGE_CORRECTED).get(0).contains("\"reason\":\"lost\""));
  }

  private static final String LOST_S9 =
      """
      {"reason": "lost", "items": [{"backfill": {"events": [
        {"id": "s9-c", "type": "session.created", "occurred_at": "2026-03-05T09:00:00Z",
         "session": {"session_id": "s9", "user_id": "alice", "cpu_cores": 1, "memory_gb": 2,
                     "storage_gb": 0}},
        {"id": "s9-t", "type": "session.terminated", "occurred_at": "2026-03-05T11:00:00Z",
         "session": {"session_id": "s9", "user_id": "alice"}}]}}]}""";

  @Test
  void aPreviewChangesNothingAndAnswersWhatApplyingItDoesToTheCent() {
    aliceRanS1();
    marchInvoiced();
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Map<String, String> before = tableContents();

    Answer preview =
        billing.call(
            HttpMethod.POST, "/admin/corrections?preview=true", admin("root"), CPU_4_FROM_11_TO_13);

    assertEquals(200, preview.status(), preview.body().toString());
    assertEquals("preview", preview.body().path("status").asText());
    assertEquals(before, tableContents());
    Answer applied = post(CPU_4_FROM_11_TO_13, null);
    assertEquals(201, applied.status());
    for (String figure : List.of("outcome", "before", "after", "difference", "lines")) {
      assertEquals(invoice(applied, 0).path(figure), invoice(preview, 0).path(figure), figure);
    }
    assertEquals(
        invoice(applied, 0).at("/correction_lines/0/amount"),
        invoice(preview, 0).at("/correction_lines/0/amount"));
  }

  @Test
  void aRetryUnderTheSameKeyAnswersTheSameCorrectionOnce_anotherBodyUnderItIsRefused() {
    aliceRanS1();
    marchInvoiced();
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer first = post(CPU_4_FROM_11_TO_13, "fix-s1");
    Answer retry = post(CPU_4_FROM_11_TO_13, "fix-s1");
    Answer reused = post(CANCEL_HB8.replace("hb-8", "whatever"), "fix-s1");

    assertEquals(201, retry.status());
    assertEquals(first.body().path("id"), retry.body().path("id"));
    assertEquals(1L, value("SELECT count(*) FROM billing_corrections"));
    assertEquals("0.20", value("SELECT sum(amount)::text FROM billing_correction_charges"));
    assertEquals(422, reused.status());
    assertEquals("idempotency_key_reused", reused.body().at("/error/code").asText());
  }

  @Test
  void aCrashBetweenStepsIsFinishedByTheRetryOnce_twoNodesApplyingAtOnceApplyItOnce()
      throws Exception {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Issued issued = new Issued();

    // node A crashes once the correction is applied, before its credit note
    assertThrows(Crash.class, () -> correct(node(issued, crashAfter("applied")), CANCEL_HB8, "k1"));
    assertEquals("applied", value("SELECT step FROM billing_corrections"));
    assertEquals(List.of(), issued.notes);
    // node B, retried under the same key, finishes it: the note issued once, nothing re-rated
    String deltas = deltas();
    CorrectionView finished =
        correct(node(issued, Corrections.StepListener.NONE), CANCEL_HB8, "k1");
    assertEquals(1, issued.notes.size(), issued.notes.toString());
    assertEquals(deltas, deltas());
    assertEquals("credit_note 1.16 0.56 -0.60", effect(finished.invoices().get(0)));

    // another correction, recorded only (its node crashed), finished by two nodes at once
    assertThrows(
        Crash.class,
        () -> correct(node(issued, crashAfter("recorded")), CPU_4_FROM_11_TO_13, "k2"));
    long id = (Long) value("SELECT max(id) FROM billing_corrections");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    List<Future<?>> runs = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      Corrections node = node(issued, Corrections.StepListener.NONE);
      runs.add(
          nodes.submit(
              () -> {
                start.await();
                node.resume(id);
                return null;
              }));
    }
    start.countDown();
    for (Future<?> run : runs) {
      run.get();
    }
    nodes.shutdown();
    // 4 cores over 11:00–13:00 against the corrected 2: 4 core-hours more, charged once
    assertEquals(
        "0.20",
        value(
            "SELECT sum(amount)::text FROM billing_correction_charges WHERE correction_id = ?",
            id));
    assertEquals(
        2L, value("SELECT count(*) FROM billing_correction_usage WHERE correction_id = ?", id));
    assertEquals(1, issued.notes.size());
  }

  /**
   * A node killed once the cancel is applied, before its credit note: at the host its request's
   * Idempotency-Key stays in progress (409 to a retry: whether it took effect is unknown), so the
   * next calculate-usage run, on the plugin as wired, finishes it: the real CN-2026-000001 of 0.60,
   * issued and announced once; the run after finds nothing left (KilledNodeIT with real nodes).
   */
  @Test
  void aCorrectionAKilledNodeLeftAppliedIsFinishedByTheNextCalculateUsageRun_once() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    assertThrows(
        Crash.class, () -> correct(node(new Issued(), crashAfter("applied")), CANCEL_HB8, "k1"));

    String first = billing.calculateUsageAt("2026-04-05T01:00:00Z").message();
    String second = billing.calculateUsageAt("2026-04-05T02:00:00Z").message();

    assertTrue(first.endsWith("; 1 usage correction(s) left part way finished"), first);
    assertTrue(!second.contains("correction"), second);
    assertEquals("announced", value("SELECT step FROM billing_corrections"));
    assertEquals(
        "CN-2026-000001 0.60",
        value(
            "SELECT string_agg(credit_note_number || ' ' || amount, ',') FROM billing_credit_notes"));
    assertEquals(
        "0.60 0.60",
        value(
            "SELECT credited || ' ' || credited_due FROM billing_invoices WHERE id = ?",
            invoiceId("alice", "2026-03-01T00:00:00Z")));
  }

  /**
   * Two nodes take one request under one key at once: the second finds no correction under the
   * key, then the first records and applies it, before the second previews it (hb-8's cancel) or
   * before it records it (s9's backfill). The second answers that correction, applied and credited
   * once (found by CorrectionsPropertyTest: it was refused 400, "event hb-8 is already cancelled by
   * correction 1", "event s9-c is accepted already").
   */
  @Test
  void aRequestAnotherNodeRecordedMeanwhileUnderItsKeyIsAnsweredThatCorrection() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, event("hb-8", "2026-03-02T12:00:00Z", "s1", "alice", size("8", "4", "0")));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    marchInvoiced("1.16");
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Issued issued = new Issued();
    Corrections first = node(issued, Corrections.StepListener.NONE);
    List<CorrectionView> made = new ArrayList<>();

    // a correction's first connection looks for its key, its second previews it, its third
    // records it
    CorrectionView cancelled =
        correct(
            node(
                issued,
                Corrections.StepListener.NONE,
                meanwhile(2, () -> made.add(correct(first, CANCEL_HB8, "k-cancel")))),
            CANCEL_HB8,
            "k-cancel");
    CorrectionView backfilled =
        correct(
            node(
                issued,
                Corrections.StepListener.NONE,
                meanwhile(3, () -> made.add(correct(first, LOST_S9, "k-lost")))),
            LOST_S9,
            "k-lost");

    assertEquals(made.get(0).id(), cancelled.id());
    assertEquals("credit_note 1.16 0.56 -0.60", effect(cancelled.invoices().get(0)));
    assertEquals(1, issued.notes.size(), issued.notes.toString());
    assertEquals(made.get(1).id(), backfilled.id());
    // s9: 1 core and 2 GB from 09:00 to 11:00 on the 5th, 0.10 + 0.04, once
    assertEquals("correction_line 0.56 0.70 0.14", effect(backfilled.invoices().get(0)));
    assertEquals(
        "2 0.14",
        value("SELECT count(*) || ' ' || sum(amount)" + " FROM billing_correction_charges"));
  }

  /** The test database, running {@code meanwhile} once, as its {@code n}th connection is taken. */
  private static DataSource meanwhile(int n, Runnable meanwhile) {
    DataSource database = TestDatabase.dataSource();
    AtomicInteger taken = new AtomicInteger();
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection") && taken.incrementAndGet() == n) {
                meanwhile.run();
              }
              try {
                return method.invoke(database, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void aCorrectionOfACorrectionBillsWhatTheTwiceCorrectedHistoryCosts() {
    aliceRanS1();
    marchInvoiced();
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    Issued issued = new Issued();
    Corrections node = node(issued, Corrections.StepListener.NONE);

    correct(node, CPU_4_FROM_11_TO_13, "first");
    CorrectionView second =
        correct(
            node, CPU_4_FROM_11_TO_13.replace("\"cpu_cores\": 4", "\"cpu_cores\": 3"), "second");

    // 3 cores rather than 4 from 11:00 to 13:00: 2 core-hours less than the first said, 0.10;
    // March as finally charged: 0.56 + 0.20 − 0.10 = 0.66, what 2 × 2 + 3 × 2 = 10 core-hours
    // (0.50) and 16 GB-hours (0.16) cost had they been known from the start
    assertEquals("credit_note 0.76 0.66 -0.10", effect(second.invoices().get(0)));
    assertEquals(
        "0.66",
        value(
            """
            SELECT (i.subtotal + (SELECT sum(amount) FROM billing_correction_charges)
                    - (SELECT sum(amount) FROM billing_correction_credits))::text
            FROM billing_invoices i WHERE i.invoice_number = 'INV-2026-000001'"""));
    assertEquals(1, issued.notes.size(), "the first charged, the second credited");
    assertEquals(
        "0.20 0.10",
        value(
            """
            SELECT (SELECT sum(amount) FROM billing_correction_charges)::text || ' '
                   || (SELECT sum(amount) FROM billing_correction_credits)::text"""));
  }

  @Test
  void aMemberIsRefusedTheAdminsRoute_theOwnerSeesWhatChangedWhyAndTheMoney() {
    aliceRanS1();
    billing.clock.set(at("2026-03-03T00:00:00Z"));

    Answer member =
        billing.call(HttpMethod.POST, "/admin/corrections", user("mia"), CPU_4_FROM_11_TO_13);
    post(CPU_4_FROM_11_TO_13, null);
    Answer listed = billing.call(HttpMethod.GET, "/corrections", user("alice"));

    assertEquals(403, member.status());
    assertEquals(1L, value("SELECT count(*) FROM billing_corrections"));
    JsonNode correction = listed.body().path("corrections").path(0);
    assertEquals(
        "the platform reported 2 cores, s1 held 4 from 11:00 to 13:00",
        correction.path("reason").asText());
    assertEquals(
        "amend s1 4",
        correction.at("/items/0/kind").asText()
            + " "
            + correction.at("/items/0/session_id").asText()
            + " "
            + correction.at("/items/0/cpu_cores").asText());
    assertEquals("0.20", correction.at("/invoices/0/difference").decimalValue().toPlainString());
    assertEquals(
        "admin root alice correction:"
            + correction.path("id").asLong()
            + " the platform reported 2 cores, s1 held 4 from 11:00 to 13:00",
        value(
            """
            SELECT actor_type || ' ' || actor_id || ' ' || org_id || ' ' || subject || ' '
                   || reason
            FROM billing_audit_entries WHERE kind = 'usage.corrected'"""));
  }

  /** A credit note issuer that records what it is asked: the credit notes' stand-in. */
  private static final class Issued implements CreditNoteIssuer {
    final List<String> notes = new CopyOnWriteArrayList<>();
    final List<Long> committed = new CopyOnWriteArrayList<>();

    @Override
    public void committed(Given given) {
      committed.add(given.creditNoteId());
    }

    @Override
    public Given issue(
        Connection connection,
        long invoiceId,
        Map<Integer, BigDecimal> amountByLine,
        String reason,
        String correctionRef) {
      notes.add("invoice " + invoiceId + " " + amountByLine + " " + reason + " " + correctionRef);
      return new Given((long) notes.size(), BigDecimal.ZERO, null);
    }
  }

  /** What a crash of the node looks like to the caller. */
  private static final class Crash extends RuntimeException {}

  private static Corrections.StepListener crashAfter(String step) {
    return (id, reached) -> {
      if (reached.equals(step)) {
        throw new Crash();
      }
    };
  }

  /** Another node of the cluster: its own corrections on the test database, the default config. */
  private Corrections node(CreditNoteIssuer issuer, Corrections.StepListener steps) {
    return node(issuer, steps, TestDatabase.dataSource());
  }

  private Corrections node(
      CreditNoteIssuer issuer, Corrections.StepListener steps, DataSource database) {
    BillingConfig config = BillingConfig.defaults();
    return new Corrections(
        database,
        () -> config,
        new InvoiceCalculator(TestDatabase.dataSource(), () -> config),
        new MeteringStore(TestDatabase.dataSource(), () -> config),
        new BillingEvents(new TestPluginContext(billing.clock).events()),
        issuer,
        billing.clock,
        steps);
  }

  private static CorrectionView correct(Corrections node, String body, String key) {
    try {
      JsonNode request = BillingHarness.json(body);
      return node.correct(
          CorrectionRequest.parse(request.path("reason").asText(), request.get("items")),
          new Corrections.Asked("root", null, Corrections.Asked.keyed("root", key)));
    } catch (Crash crash) {
      throw crash;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String effect(CorrectionView.InvoiceEffect effect) {
    return effect.outcome()
        + " "
        + effect.before()
        + " "
        + effect.after()
        + " "
        + effect.difference();
  }

  /** Every correction's usage rows, as a digest. */
  private static String deltas() {
    return String.valueOf(
        value(
            """
            SELECT count(*) || ' ' || sum(unit_seconds) FROM (
              SELECT unit_seconds FROM billing_correction_usage
              UNION ALL SELECT unit_seconds FROM billing_usage_records WHERE correction_id <> 0) d"""));
  }

  private void marchInvoiced(String subtotal) {
    billing.calculateUsageAt("2026-04-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:30:00Z");
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 "
                + subtotal
                + " 0.00 "
                + subtotal),
        invoices("alice"));
  }

  private static String figures(JsonNode invoice) {
    return invoice.path("before").decimalValue().toPlainString()
        + " "
        + invoice.path("after").decimalValue().toPlainString()
        + " "
        + invoice.path("difference").decimalValue().toPlainString();
  }

  private static String line(JsonNode invoice, int i) {
    JsonNode line = invoice.path("lines").path(i);
    return line.path("description").asText()
        + " "
        + line.path("before").decimalValue().toPlainString()
        + " "
        + line.path("after").decimalValue().toPlainString();
  }

  private static String record(JsonNode record) {
    return record.path("source").asText()
        + " "
        + record.path("session_id").asText()
        + " "
        + record.path("from").asText()
        + " "
        + record.path("quantity").decimalValue().stripTrailingZeros().toPlainString()
        + " "
        + record.path("amount").decimalValue().toPlainString();
  }
}
