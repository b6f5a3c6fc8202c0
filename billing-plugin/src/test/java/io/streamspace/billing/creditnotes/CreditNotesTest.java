package io.streamspace.billing.creditnotes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static io.streamspace.billing.support.InvoiceFixtures.line;
import static io.streamspace.billing.support.InvoiceFixtures.usageLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credit notes, worked by hand, on real PostgreSQL, with the real stripe-java client against
 * WireMock answering as Stripe's API does. Ann's February invoice INV-2026-000042 has three lines:
 * 1 the Professional plan 29.99, 2 CPU 200 core-hours × 0.05 = 10.00, 3 memory 400 GB-hours ×
 * 0.01 = 4.00; subtotal and total 43.99 (no credits), due on March 15. It is written into the
 * tables as finalization leaves it ({@code InvoiceFixtures}); the notes are issued through {@code
 * POST /admin/invoices/{id}/credit-notes} on March 5, 2026.
 */
class CreditNotesTest {

  private static final String KEY = "sk_test_credit_notes";
  private static final String WEBHOOK_SECRET = "whsec_credit_notes";
  private static final String NOW = "2026-03-05T12:00:00Z";
  private static final WireMockServer stripe = new WireMockServer(options().dynamicPort());

  private BillingHarness billing;

  @BeforeAll
  static void startStripe() {
    stripe.start();
  }

  @AfterAll
  static void stopStripe() {
    stripe.stop();
  }

  @BeforeEach
  void load() {
    stripe.resetAll();
    billing = new BillingHarness(at(NOW), "{\"stripeEnabled\": true, \"billingMode\": \"hybrid\"}");
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  /** Ann's (or another organization's) February invoice: 29.99 + 10.00 + 4.00 = 43.99. */
  private long february(String org, String status) {
    billing.userCreated(org, Map.of());
    billing.flush();
    return february(org, status, status.equals("draft") ? null : "INV-2026-000042");
  }

  private static long february(String org, String status, String number) {
    long id =
        invoice(
            org,
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            status,
            number,
            "USD",
            "43.99",
            "0",
            "43.99",
            "2026-03-15T01:00:00Z",
            status.equals("paid") ? "2026-03-02T00:00:00Z" : null);
    line(id, 1, "plan_fee", "Professional plan, February 2026", "29.99");
    usageLine(
        id,
        2,
        "usage",
        "CPU",
        "cpu",
        "200",
        "core-hours",
        "0.05",
        "10.00",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z");
    usageLine(
        id,
        3,
        "usage",
        "Memory",
        "memory",
        "400",
        "gb-hours",
        "0.01",
        "4.00",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z");
    return id;
  }

  private Answer credit(long invoice, String body) {
    return billing.call(
        HttpMethod.POST, "/admin/invoices/" + invoice + "/credit-notes", admin("root"), body);
  }

  private Answer credit(long invoice, String body, String idempotencyKey) {
    return billing.call(
        HttpMethod.POST,
        "/admin/invoices/" + invoice + "/credit-notes",
        admin("root"),
        body,
        Map.of("idempotency-key", idempotencyKey));
  }

  private JsonNode invoiceJson(long invoice) {
    return billing.call(HttpMethod.GET, "/invoices/" + invoice, admin("root")).body();
  }

  private static String text(JsonNode node, String pointer) {
    return node.at(pointer).asText();
  }

  private static String decimal(JsonNode node, String pointer) {
    return node.at(pointer).decimalValue().toPlainString();
  }

  /** A succeeded payment of the invoice through a Stripe PaymentIntent (or Stripe invoice). */
  private static void paidThrough(long invoice, String payment, String amount) {
    value(
        """
        INSERT INTO billing_payments (invoice_id, user_id, amount, currency, status,
            payment_intent_id, charge_id, created_at, event_at, updated_at)
        VALUES (?, 'ann', ?, 'USD', 'succeeded', ?, 'ch_ann', now(), now(), now()) RETURNING id""",
        invoice,
        new BigDecimal(amount),
        payment);
  }

  private static String pdfText(byte[] pdf) throws IOException {
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  @Test
  void aPartialLineCreditLowersWhatIsDue_andCollectionChargesTheLoweredFigure() {
    long invoice = february("ann", "sent");
    value(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at,
            default_payment_method, default_payment_method_at)
        VALUES ('ann', 'cus_ann', now(), 'pm_card_visa', now()) RETURNING 1""");
    value(
        """
        INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
            updated_at)
        VALUES (?, 1, '2026-03-05T12:00:00Z', now(), now()) RETURNING 1""",
        invoice);

    Answer issued =
        credit(
            invoice,
            """
            {"lines": [{"line": 2, "amount": "2.50"}],
             "reason": "session s-7 was reported twice for 50 core-hours", "refund": "none"}""");

    // 10.00 on line 2 holds 2.50 less: 43.99 − 2.50 = 41.49 is left due; the invoice is unchanged
    assertEquals(201, issued.status(), issued.body().toString());
    JsonNode note = issued.body();
    assertEquals("CN-2026-000001", text(note, "/credit_note_number"));
    assertEquals("INV-2026-000042", text(note, "/invoice_number"));
    assertEquals("2.50", decimal(note, "/amount"));
    assertEquals("0.00", decimal(note, "/tax"));
    assertEquals("2.50", decimal(note, "/total"));
    assertEquals("2.50", decimal(note, "/amount_due_lowered"));
    assertEquals("none", text(note, "/refund"));
    assertEquals("[2 CPU 2.50]", lineSummary(note));
    assertEquals("none", text(note, "/stripe_status"), "nothing to do at Stripe: not mirrored");
    JsonNode shown = invoiceJson(invoice);
    assertEquals("sent", text(shown, "/status"));
    assertEquals("43.99", decimal(shown, "/total"));
    assertEquals("2.50", decimal(shown, "/credited"));
    assertEquals("41.49", decimal(shown, "/amount_due"));
    assertEquals(note, shown.at("/credit_notes/0"));
    JsonNode explained =
        billing
            .call(HttpMethod.GET, "/invoices/" + invoice + "/lines/2/explain", admin("root"))
            .body();
    assertEquals("10.00", decimal(explained, "/line/amount"), "the line as invoiced");
    assertEquals("CN-2026-000001", text(explained, "/credited_back/0/credit_note_number"));
    assertEquals("2.50", decimal(explained, "/credited_back/0/amount"));
    assertEquals(
        "session s-7 was reported twice for 50 core-hours",
        text(explained, "/credited_back/0/reason"));
    assertTrue(
        billing
            .call(HttpMethod.GET, "/invoices/" + invoice + "/lines/1/explain", admin("root"))
            .body()
            .path("credited_back")
            .isMissingNode(),
        "a line no note credited says nothing of notes");
    assertEquals(
        List.of(List.of("credit_note.issued", "invoice:" + invoice, "admin", "root")),
        rows(
            """
            SELECT kind, subject, actor_type, actor_id FROM billing_audit_entries
            WHERE kind = 'credit_note.issued'"""));
    assertEquals(1, billing.published("billing.credit_note.issued").size());
    assertTrue(
        billing.published("billing.credit_note.issued").get(0).contains("\"CN-2026-000001\""));
    // the dashboard's revenue and outstanding are net of the note
    assertEquals(
        List.of(List.of(new BigDecimal("41.49"), new BigDecimal("41.49"))),
        rows(
            """
            SELECT p.invoiced, o.sent_total FROM billing_revenue_periods p,
                billing_revenue_outstanding o"""));

    // collect-payments charges the card what is left due, and that pays the invoice
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                okJson(
                    """
                    {"id":"pi_ann","object":"payment_intent","amount":4149,\
                    "amount_received":4149,"currency":"usd","status":"succeeded",\
                    "created":1772712000,"latest_charge":"ch_ann","livemode":false}""")));
    billing.runAt(CollectPaymentsJob.NAME, NOW);
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/payment_intents"))
            .withFormParam("amount", equalTo("4149")));
    assertEquals("paid", text(invoiceJson(invoice), "/status"));
    assertEquals("0.00", decimal(invoiceJson(invoice), "/amount_due"));
  }

  /**
   * A collection run and a note on one unpaid invoice never overlap, on two nodes: while a run
   * holds the invoice's attempt (claimed, its transaction not yet committed) a note is refused
   * {@code payment_in_progress} at once, rather than lowering what the run is about to charge;
   * while a note is being issued (its transaction open) a run leaves the attempt alone, and the
   * next run charges the lowered 43.99 − 2.50 = 41.49, never the 43.99 the note took 2.50 off.
   */
  @Test
  void aCollectionRunAndANoteBeingIssuedNeverOverlap_theRunChargesWhatTheNoteLeftDue()
      throws Exception {
    long invoice = february("ann", "sent");
    value(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at,
            default_payment_method, default_payment_method_at)
        VALUES ('ann', 'cus_ann', now(), 'pm_card_visa', now()) RETURNING 1""");
    value(
        """
        INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
            updated_at)
        VALUES (?, 1, '2026-03-05T12:00:00Z', now(), now()) RETURNING 1""",
        invoice);
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                okJson(
                    """
                    {"id":"pi_ann","object":"payment_intent","amount":4149,\
                    "currency":"usd","status":"processing","created":1772712000,\
                    "livemode":false}""")));
    String request =
        """
        {"lines": [{"line": 2, "amount": "2.50"}], "reason": "reported twice",
         "refund": "none"}""";
    DataSource database = TestDatabase.dataSource();

    // another node's run has claimed the attempt and not committed yet
    try (Connection run = database.getConnection()) {
      run.setAutoCommit(false);
      try (PreparedStatement claim =
          run.prepareStatement(
              "UPDATE billing_stripe_collections SET tries = tries + 1 WHERE invoice_id = ?")) {
        claim.setLong(1, invoice);
        claim.executeUpdate();
      }
      Answer meanwhile = credit(invoice, request);
      assertEquals(409, meanwhile.status(), meanwhile.body().toString());
      assertEquals("payment_in_progress", text(meanwhile.body(), "/error/code"));
      run.rollback();
    }

    // a note being issued on another node, its transaction open while a run comes
    BillingEvents events = new BillingEvents((type, payload) -> {});
    CreditNotes notes =
        new CreditNotes(
            database,
            new InvoiceStatusChanges(database, events, org -> {}),
            events,
            BillingConfig::defaults,
            id -> {});
    try (Connection issuing = database.getConnection()) {
      issuing.setAutoCommit(false);
      notes.issue(
          issuing,
          new CreditNoteRequest(
              invoice,
              List.of(new CreditNoteRequest.LineCredit(2, new BigDecimal("2.50"))),
              null,
              "reported twice",
              CreditNoteRequest.Refund.NONE,
              null,
              new Cause(Actor.admin("root"), "reported twice", null),
              at(NOW)));
      billing.runAt(CollectPaymentsJob.NAME, NOW);
      stripe.verify(0, postRequestedFor(urlEqualTo("/v1/payment_intents")));
      issuing.commit();
    }

    billing.runAt(CollectPaymentsJob.NAME, NOW);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/payment_intents"))
            .withFormParam("amount", equalTo("4149")));
  }

  /** A note's lines as {@code [line description amount, ...]}. */
  private static String lineSummary(JsonNode note) {
    List<String> lines = new ArrayList<>();
    note.get("lines")
        .forEach(
            l ->
                lines.add(
                    l.get("line_no").asText()
                        + " "
                        + l.get("description").asText()
                        + " "
                        + l.get("amount").decimalValue().toPlainString()));
    return lines.toString();
  }

  @Test
  void aWholeInvoiceAmountIsSpreadByLargestRemainder_andCreditingAllThatIsDuePaysTheInvoice() {
    long invoice = february("ann", "sent");

    // 11.00 over 29.99, 10.00 and 4.00 (43.99): exact shares 7.4992, 2.5006 and 1.0002; floors
    // 7.49 + 2.50 + 1.00 = 10.99, and the cent left goes to the largest remainder, line 1's
    Answer spread =
        credit(
            invoice, "{\"amount\": 11.00, \"reason\": \"outage on Feb 9\", \"refund\": \"none\"}");

    assertEquals(201, spread.status(), spread.body().toString());
    assertEquals(
        "[1 Professional plan, February 2026 7.50, 2 CPU 2.50, 3 Memory 1.00]",
        lineSummary(spread.body()));
    assertEquals("32.99", decimal(invoiceJson(invoice), "/amount_due"));

    // what the lines still hold, 22.49 + 7.50 + 3.00 = 32.99, is exactly what is due: the note
    // credits each line whole and pays the invoice
    Answer rest =
        credit(
            invoice,
            "{\"amount\": \"32.99\", \"reason\": \"the whole month\", \"refund\": \"balance\"}");

    assertEquals(201, rest.status(), rest.body().toString());
    assertEquals("CN-2026-000002", text(rest.body(), "/credit_note_number"));
    assertEquals(
        "[1 Professional plan, February 2026 22.49, 2 CPU 7.50, 3 Memory 3.00]",
        lineSummary(rest.body()));
    assertEquals("32.99", decimal(rest.body(), "/amount_due_lowered"));
    JsonNode shown = invoiceJson(invoice);
    assertEquals("paid", text(shown, "/status"));
    assertEquals("43.99", decimal(shown, "/credited"));
    assertEquals("0.00", decimal(shown, "/amount_due"));
    assertEquals(1, billing.published("billing.invoice.paid").size());
    assertEquals(
        0L,
        value("SELECT count(*) FROM billing_prepaid_entries"),
        "all of it lowered what was due: nothing was paid to give back");
    assertEquals(
        List.of(List.of(new BigDecimal("0.00"), new BigDecimal("0.00"))),
        rows("SELECT invoiced, paid FROM billing_revenue_periods"),
        "revenue net of the notes");
    assertEquals(
        List.of(
            List.of("", new BigDecimal("0.00")),
            List.of("cpu", new BigDecimal("0.00")),
            List.of("memory", new BigDecimal("0.00"))),
        rows("SELECT billed, amount FROM billing_revenue_lines ORDER BY billed"));

    // the invoice holds nothing more: a cent more is refused, naming the line, and changes nothing
    Map<String, String> before = tableContents();
    Answer over =
        credit(
            invoice,
            """
            {"lines": [{"line": 2, "amount": 0.01}], "reason": "one more", "refund": "none"}""");
    Answer overAll =
        credit(invoice, "{\"amount\": 0.01, \"reason\": \"one more\", \"refund\": \"none\"}");

    assertEquals(409, over.status());
    assertEquals("over_credit", text(over.body(), "/error/code"));
    assertEquals(2, over.body().at("/error/line").asInt());
    assertEquals("0.00", decimal(over.body(), "/error/holds"));
    assertEquals(
        "line 2 still holds $0.00 ($10.00 billed, $10.00 credited by earlier notes): $0.01 is more",
        over.errorMessage());
    assertEquals(409, overAll.status());
    assertEquals("over_credit", text(overAll.body(), "/error/code"));
    assertEquals(before, tableContents());
  }

  @Test
  void overCreditingALineIsRefusedNamingItAndWhatItHolds_andBadRequestsNameTheirField() {
    long invoice = february("ann", "sent");
    long draft = february("bob", "draft");
    billing.userCreated("cy", Map.of());
    billing.flush();
    long voided = february("cy", "void", "INV-2026-000043");
    // hibernated CPU time: a line of its own at nothing, which no note can credit
    usageLine(
        invoice,
        4,
        "usage",
        "CPU (hibernated)",
        "cpu",
        "20",
        "core-hours",
        "0",
        "0.00",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z");
    credit(invoice, body("{\"lines\": [{\"line\": 2, \"amount\": 6}]"));
    Map<String, String> before = tableContents();

    Answer over =
        credit(
            invoice,
            body(
                "{\"lines\": [{\"line\": 3, \"amount\": 1}, {\"line\": 2,"
                    + " \"amount\": 4.01}]"));

    // line 2's 10.00 holds 4.00 after the note of 6.00: 4.01 is refused, and line 3's 1 with it
    assertEquals(409, over.status());
    assertEquals("over_credit", text(over.body(), "/error/code"));
    assertEquals(
        "line 2 still holds $4.00 ($10.00 billed, $6.00 credited by earlier notes): $4.01 is more",
        over.errorMessage());
    assertEquals(2, over.body().at("/error/line").asInt());
    assertEquals("4.00", decimal(over.body(), "/error/holds"));
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put(body("{\"lines\": [{\"line\": 9, \"amount\": 1}]"), "lines[0].line");
    fields.put(body("{\"lines\": [{\"line\": 4, \"amount\": 0.01}]"), "lines[0].line");
    fields.put(body("{\"lines\": [{\"line\": 1, \"amount\": 0}]"), "lines[0].amount");
    fields.put(body("{\"lines\": [{\"line\": 1, \"amount\": 1.005}]"), "lines[0].amount");
    fields.put(
        body("{\"lines\": [{\"line\": 1, \"amount\": 1}, {\"line\": 1, \"amount\": 1}]"),
        "lines[1].line");
    fields.put(body("{\"amount\": 1, \"lines\": []"), "lines");
    fields.put(body("{\"amount\": \"ten\""), "amount");
    fields.put("{\"amount\": 1, \"reason\": \" \", \"refund\": \"none\"}", "reason");
    fields.put("{\"amount\": 1, \"reason\": \"r\", \"refund\": \"cash\"}", "refund");
    fields.forEach(
        (request, field) -> {
          Answer refused = credit(invoice, request);
          assertEquals(400, refused.status(), request);
          assertEquals(field, refused.errorField(), request);
        });
    assertEquals(404, credit(999_999, body("{\"amount\": 1")).status());
    Answer ofDraft = credit(draft, body("{\"amount\": 1"));
    Answer ofVoid = credit(voided, body("{\"amount\": 1"));
    assertEquals(409, ofDraft.status());
    assertEquals("invoice_not_creditable", text(ofDraft.body(), "/error/code"));
    assertEquals("invoice_not_creditable", text(ofVoid.body(), "/error/code"));
    // a credited invoice is never voided: what its notes gave back would be given back again
    Answer voiding =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + invoice,
            admin("root"),
            "{\"status\": \"void\", \"reason\": \"wrong plan\"}");
    assertEquals(409, voiding.status());
    assertEquals("invalid_transition", text(voiding.body(), "/error/code"));
    assertEquals(before, tableContents(), "nothing changed by any refusal");
  }

  /** A request body of {@code members} with a reason and refund none. */
  private static String body(String members) {
    return members + ", \"reason\": \"r\", \"refund\": \"none\"}";
  }

  /**
   * Washington's 7 % sales tax on the invoice, exclusive, as Stripe Tax calculated it: 2.10 on
   * line 1's 29.99, 0.70 on line 2's 10.00 and 0.28 on line 3's 4.00; 3.08 in all, so the total
   * is 47.07.
   */
  private static void taxed(long invoice) {
    value(
        """
        INSERT INTO billing_invoice_taxes (invoice_id, status, lines_hash, tax_behavior, tax,
            calculated_at)
        VALUES (?, 'calculated', 'h', 'exclusive', 3.08, now()) RETURNING 1""",
        invoice);
    String[][] lines = {{"1", "2.10", "29.99"}, {"2", "0.70", "10.00"}, {"3", "0.28", "4.00"}};
    for (String[] l : lines) {
      value(
          """
          INSERT INTO billing_invoice_tax_lines (invoice_id, n, line_no, amount, taxable_amount,
              percentage, country, state, jurisdiction, level, tax_type, reverse_charge)
          VALUES (?, ?, ?, ?, ?, 7, 'US', 'WA', 'Washington', 'state', 'sales_tax', false)
          RETURNING 1""",
          invoice,
          Integer.parseInt(l[0]),
          Integer.parseInt(l[0]),
          new BigDecimal(l[1]),
          new BigDecimal(l[2]));
    }
    value("UPDATE billing_invoices SET total = 47.07 WHERE id = ? RETURNING 1", invoice);
  }

  @Test
  void aPaidInvoicesNoteGoesOntoTheBalance_withItsLinesTaxReversedInProportion() {
    // ann on Professional (29.99 a month) since January, in hybrid mode: 29.99 of MRR in February
    billing.clock.set(at("2026-01-15T00:00:00Z"));
    billing.userCreated("ann", Map.of("plan", "pro"));
    billing.flush();
    billing.clock.set(at(NOW));
    long invoice = february("ann", "paid", "INV-2026-000042");
    taxed(invoice);

    // 10.00 of line 1's 29.99 reverses round(2.10 × 10.00 / 29.99) = round(0.7002) = 0.70 of
    // its tax: 10.70 back onto the balance
    Answer first =
        credit(
            invoice,
            """
            {"lines": [{"line": 1, "amount": 10.00}], "reason": "plan changed on Feb 20",
             "refund": "balance"}""");
    // the rest of line 1, 19.99: what is reversed by the end is round(2.10 × 29.99 / 29.99) =
    // 2.10, so 1.40 now, 21.39 in all: the whole line's tax, to the cent
    Answer second =
        credit(
            invoice,
            """
            {"lines": [{"line": 1, "amount": 19.99}], "reason": "and the rest of the plan",
             "refund": "balance"}""");

    assertEquals(201, first.status(), first.body().toString());
    assertEquals("0.70", decimal(first.body(), "/tax"));
    assertEquals("10.70", decimal(first.body(), "/total"));
    assertEquals("0.00", decimal(first.body(), "/amount_due_lowered"));
    assertEquals("1.40", decimal(second.body(), "/tax"));
    assertEquals("21.39", decimal(second.body(), "/total"));
    assertEquals(
        List.of(
            List.of("credit_note", new BigDecimal("10.70"), new BigDecimal("10.70")),
            List.of("credit_note", new BigDecimal("21.39"), new BigDecimal("32.09"))),
        rows(
            """
            SELECT kind, amount, balance_after FROM billing_prepaid_entries
            WHERE invoice_id = ? ORDER BY id""",
            invoice));
    assertEquals(
        2L, value("SELECT count(*) FROM billing_audit_entries WHERE kind = 'balance.credit_note'"));
    JsonNode shown = invoiceJson(invoice);
    assertEquals("paid", text(shown, "/status"));
    assertEquals("47.07", decimal(shown, "/total"));
    assertEquals("32.09", decimal(shown, "/credited"));
    assertEquals("0.00", decimal(shown, "/amount_due"));
    assertEquals(
        List.of(List.of(new BigDecimal("14.98"), new BigDecimal("14.98"))),
        rows("SELECT invoiced, paid FROM billing_revenue_periods"),
        "47.07 − 32.09");
    // February's MRR is the plan's 29.99, net of the 29.99 the notes gave back of its fee
    JsonNode february =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2026-02&to=2026-02", admin("root"))
            .body()
            .at("/months/0");
    assertEquals("29.99", decimal(february, "/mrr"));
    assertEquals("32.09", decimal(february, "/credit_notes"));
    assertEquals("29.99", decimal(february, "/plan_fee_credit_notes"));
    assertEquals("0.00", decimal(february, "/net_mrr"));
  }

  /**
   * Ann's February invoice was paid by her prepaid balance: 43.99 taken from it (line 4, prepaid
   * −43.99), total 0.00, so the revenue figures count it 0.00 (what it charged after the
   * balance). A note gives CPU's 10.00 back onto the balance: the figures still count the invoice
   * 0.00, never −10.00 (what a note gives back beyond what an invoice charged, the part its
   * credits or the balance paid, was never counted in them); by resource CPU is 10.00 − 10.00.
   */
  @Test
  void aNoteOnAnInvoiceTheBalancePaid_neverTakesItsRevenueBelowZero() {
    long invoice = february("ann", "paid");
    line(invoice, 4, "prepaid", "Paid from the prepaid balance", "-43.99");
    value(
        "UPDATE billing_invoices SET balance_applied = 43.99, total = 0 WHERE id = ? RETURNING 1",
        invoice);

    Answer issued =
        credit(
            invoice,
            """
            {"lines": [{"line": 2, "amount": 10}], "reason": "CPU metered twice",
             "refund": "balance"}""");

    assertEquals(201, issued.status(), issued.body().toString());
    assertEquals(
        new BigDecimal("10.00"),
        value("SELECT amount FROM billing_prepaid_entries WHERE kind = 'credit_note'"));
    assertEquals(
        List.of(List.of(new BigDecimal("0.00"), new BigDecimal("0.00"))),
        rows("SELECT invoiced, paid FROM billing_revenue_periods"));
    assertEquals(
        new BigDecimal("0.00"),
        value("SELECT amount FROM billing_revenue_lines WHERE billed = 'cpu'"));
    JsonNode months = billing.call(HttpMethod.GET, "/costs/monthly?months=2", user("ann")).body();
    assertEquals("0.00", decimal(months, "/months/0/invoiced"), "the cost chart's February");
    JsonNode accounts = billing.call(HttpMethod.GET, "/admin/users", admin("root")).body();
    assertEquals("0.00", decimal(accounts, "/users/0/revenue/0/invoiced"), accounts.toString());
  }

  @Test
  void aPaidInvoicesNoteRefundsThroughStripe_onceForItsKey_withTheNotesIdempotencyKey() {
    long invoice = february("ann", "paid");
    paidThrough(invoice, "pi_ann", "43.99");
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                okJson(
                    """
                    {"id":"re_1","object":"refund","amount":500,"currency":"usd",\
                    "payment_intent":"pi_ann","status":"succeeded"}""")));
    String request =
        """
        {"lines": [{"line": 2, "amount": "5.00"}], "reason": "half the CPU was idle",
         "refund": "payment_method"}""";

    Answer issued = credit(invoice, request, "refund-ann-cpu");
    Answer retried = credit(invoice, request, "refund-ann-cpu");

    assertEquals(201, issued.status(), issued.body().toString());
    long note = issued.body().get("id").asLong();
    assertEquals("sent", text(issued.body(), "/stripe_status"), "refunded before the answer");
    assertEquals(201, retried.status());
    assertEquals(issued.body(), retried.body(), "the same note, answered again");
    // the key with another amount, or another refund, is not that request: refused, not
    // answered as if the note asked for had been issued
    Answer otherAmount = credit(invoice, request.replace("\"5.00\"", "\"6.00\""), "refund-ann-cpu");
    Answer otherRefund =
        credit(invoice, request.replace("payment_method", "balance"), "refund-ann-cpu");
    assertEquals(422, otherAmount.status(), otherAmount.body().toString());
    assertEquals("idempotency_key_reused", text(otherAmount.body(), "/error/code"));
    assertEquals(422, otherRefund.status(), otherRefund.body().toString());
    assertEquals(1L, value("SELECT count(*) FROM billing_credit_notes"));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withHeader("Idempotency-Key", equalTo("credit-note-" + note))
            .withFormParam("payment_intent", equalTo("pi_ann"))
            .withFormParam("amount", equalTo("500"))
            .withFormParam("metadata[credit_note_id]", equalTo(Long.toString(note)))
            .withFormParam("metadata[invoice_id]", equalTo(Long.toString(invoice))));
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/credit_notes")));
    assertEquals(1, billing.published("billing.credit_note.issued").size());
    assertEquals(0L, value("SELECT count(*) FROM billing_prepaid_entries"));

    // the card gave 43.99; 20.00 of it was refunded in Stripe's Dashboard since (which Stripe
    // told of), more than the note's 5.00: 23.99 more can go back through it, 30 not
    value("UPDATE billing_payments SET amount_refunded = 20 RETURNING 1");
    Answer tooMuch =
        credit(
            invoice,
            "{\"amount\": 30, \"reason\": \"most of it\", \"refund\": \"payment_method\"}");
    assertEquals(409, tooMuch.status());
    assertEquals("refund_unavailable", text(tooMuch.body(), "/error/code"));
    assertEquals("23.99", decimal(tooMuch.body(), "/error/refundable"));
  }

  @Test
  void aMirroredInvoicesNoteBecomesAStripeCreditNote_andStripeCollectsTheLoweredFigure() {
    long invoice = february("ann", "sent");
    value(
        """
        INSERT INTO billing_stripe_invoices (invoice_id, account_id, status, stripe_invoice_id,
            attempts, next_try_at, first_sent_at, created_at, updated_at, amount)
        VALUES (?, 'ann', 'sent', 'in_ann', 1, now(), now(), now(), now(), 43.99) RETURNING 1""",
        invoice);
    stripe.stubFor(
        post(urlEqualTo("/v1/credit_notes"))
            .willReturn(
                okJson(
                    """
                    {"id":"cn_1","object":"credit_note","amount":400,"currency":"usd",\
                    "invoice":"in_ann","status":"issued","type":"pre_payment"}""")));

    Answer issued =
        credit(
            invoice,
            """
            {"lines": [{"line": 3, "amount": 4}], "reason": "memory was never attached",
             "refund": "none"}""");

    assertEquals(201, issued.status(), issued.body().toString());
    long note = issued.body().get("id").asLong();
    assertEquals("sent", text(issued.body(), "/stripe_status"));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/credit_notes"))
            .withHeader("Idempotency-Key", equalTo("credit-note-" + note + "-stripe"))
            .withFormParam("invoice", equalTo("in_ann"))
            .withFormParam("amount", equalTo("400"))
            .withFormParam("memo", equalTo("CN-2026-000001: memory was never attached"))
            .withFormParam("metadata[credit_note_id]", equalTo(Long.toString(note)))
            .withFormParam("metadata[credit_note_number]", equalTo("CN-2026-000001"))
            .withFormParam("refund_amount", absent())
            .withFormParam("out_of_band_amount", absent()));
    assertEquals(
        "cn_1", value("SELECT stripe_credit_note_id FROM billing_credit_notes WHERE id = ?", note));
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));

    // Stripe collects 43.99 − 4.00 = 39.99 of its invoice, which pays ours
    String paid =
        """
        {"id": "in_ann", "object": "invoice", "status": "paid", "amount_due": 3999,
         "amount_paid": 3999, "amount_remaining": 0, "currency": "usd", "customer": "cus_ann",
         "created": 1772712000, "attempt_count": 1, "livemode": false,
         "metadata": {"account_id": "ann", "invoice_id": "%d"}}"""
            .formatted(invoice);
    StripeSigning.delivered(
        billing,
        WEBHOOK_SECRET,
        StripeSigning.event("evt_paid", "invoice.paid", billing.clock.instant(), paid));
    assertEquals("paid", text(invoiceJson(invoice), "/status"));
  }

  /**
   * The note lowers Ann's mirrored invoice by 4.00, but Stripe cannot be reached for its Stripe
   * Credit Note (503: left pending), and Stripe's invoice collects its whole 43.99 meanwhile, as
   * its {@code invoice.paid} says ({@code pre_payment_credit_notes_amount} 0: no credit note took
   * anything off it). Stripe collected what its invoice asked, so ours is paid; it is not left
   * open (and overdue, and the organization locked) for 4.00 the customer was never asked less.
   */
  @Test
  void aMirroredInvoiceStripeCollectedBeforeTheNotesStripeCreditNote_isPaidByWhatStripeAsked() {
    long invoice = february("ann", "sent");
    value(
        """
        INSERT INTO billing_stripe_invoices (invoice_id, account_id, status, stripe_invoice_id,
            attempts, next_try_at, first_sent_at, created_at, updated_at, amount)
        VALUES (?, 'ann', 'sent', 'in_ann', 1, now(), now(), now(), now(), 43.99) RETURNING 1""",
        invoice);
    stripe.stubFor(
        post(urlEqualTo("/v1/credit_notes"))
            .willReturn(
                aResponse().withStatus(503).withBody("{\"error\":{\"type\":\"api_error\"}}")));

    Answer issued =
        credit(
            invoice,
            """
            {"lines": [{"line": 3, "amount": 4}], "reason": "memory was never attached",
             "refund": "none"}""");
    String paid =
        """
        {"id": "in_ann", "object": "invoice", "status": "paid", "amount_due": 4399,
         "amount_paid": 4399, "amount_remaining": 0, "pre_payment_credit_notes_amount": 0,
         "currency": "usd", "customer": "cus_ann", "created": 1772712000, "attempt_count": 1,
         "livemode": false, "metadata": {"account_id": "ann", "invoice_id": "%d"}}"""
            .formatted(invoice);
    StripeSigning.delivered(
        billing,
        WEBHOOK_SECRET,
        StripeSigning.event("evt_paid", "invoice.paid", billing.clock.instant(), paid));

    assertEquals(201, issued.status(), issued.body().toString());
    assertEquals("pending", text(issued.body(), "/stripe_status"));
    assertEquals("paid", text(invoiceJson(invoice), "/status"));
    assertEquals(
        List.of(List.of("succeeded", new BigDecimal("43.99"))),
        rows("SELECT status, amount FROM billing_payments WHERE invoice_id = ?", invoice));
  }

  @Test
  void concurrentNotesAreNumberedWithoutGaps_andTogetherNeverOverCreditALine() throws Exception {
    List<Long> invoices = new ArrayList<>();
    for (String org : List.of("o1", "o2", "o3", "o4", "o5", "o6")) {
      billing.userCreated(org, Map.of());
      billing.flush();
      invoices.add(february(org, "sent", "INV-2026-00010" + org.charAt(1)));
    }
    long contested = invoices.get(0);
    // two notes on each invoice of 1.00 of line 3, and two racing on o1's line 2 for 6.00 each
    // of its 10.00: one of those two is refused
    List<String> requests = new ArrayList<>();
    List<Long> targets = new ArrayList<>();
    for (long invoice : invoices) {
      for (int n = 0; n < 2; n++) {
        requests.add(body("{\"lines\": [{\"line\": 3, \"amount\": 1}]"));
        targets.add(invoice);
      }
    }
    for (int n = 0; n < 2; n++) {
      requests.add(body("{\"lines\": [{\"line\": 2, \"amount\": 6}]"));
      targets.add(contested);
    }
    ExecutorService threads = Executors.newFixedThreadPool(7);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < requests.size(); i++) {
        int request = i;
        answers.add(
            threads.submit(
                () -> {
                  go.await();
                  return credit(targets.get(request), requests.get(request));
                }));
      }
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Answer> answer : answers) {
        statuses.add(answer.get().status());
      }
      assertEquals(13, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
      assertEquals(1, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
    } finally {
      threads.shutdownNow();
    }

    assertEquals(
        IntStream.rangeClosed(1, 13).mapToObj("CN-2026-%06d"::formatted).toList(),
        rows("SELECT credit_note_number FROM billing_credit_notes ORDER BY credit_note_number")
            .stream()
            .map(r -> r.get(0))
            .toList(),
        "13 notes, numbered 1 to 13: none twice, none skipped");
    assertEquals(
        new BigDecimal("6"),
        value(
            "SELECT sum(amount) FROM billing_credit_note_lines WHERE invoice_id = ? AND line_no = 2",
            contested));
    assertEquals(
        "35.99", decimal(invoiceJson(contested), "/amount_due"), "43.99 − 1.00 − 1.00 − 6.00");
  }

  @Test
  void theNotesPdfAndCsvSayWhatItCredits_andTheInvoicesPdfAndCsvListIt() throws IOException {
    long invoice = february("ann", "paid");
    taxed(invoice);
    long note =
        credit(
                invoice,
                """
                {"lines": [{"line": 1, "amount": 10.00}], "reason": "plan changed on Feb 20",
                 "refund": "balance"}""")
            .body()
            .get("id")
            .asLong();
    String path = "/invoices/" + invoice + "/credit-notes/" + note;

    BillingHarness.Text pdf = billing.text(path + "/pdf", user("ann"));
    byte[] pdfBytes =
        billing.context.routes().call(HttpMethod.GET, path + "/pdf", user("ann")).body();

    assertEquals(200, pdf.status());
    assertEquals("application/pdf", pdf.contentType());
    assertEquals(
        "attachment; filename=\"CN-2026-000001.pdf\"", pdf.headers().get("Content-Disposition"));
    String text = pdfText(pdfBytes);
    for (String expected :
        List.of(
            "Credit note CN-2026-000001",
            "Account: ann <ann@example.com>",
            "Date: 2026-03-05",
            "Credits invoice INV-2026-000042 (period 2026-02-01 to 2026-03-01)",
            "Reason: plan changed on Feb 20",
            "Line 1: Professional plan, February 2026 0.70 10.00",
            "Amount 10.00 USD",
            "Tax reversed 0.70 USD",
            "Total credited 10.70 USD",
            "Onto the prepaid balance 10.70 USD")) {
      assertTrue(text.contains(expected), expected + " in:\n" + text);
    }
    String invoicePdf =
        pdfText(
            billing
                .context
                .routes()
                .call(HttpMethod.GET, "/invoices/" + invoice + "/pdf", user("ann"))
                .body());
    for (String expected :
        List.of(
            "Credit notes Total",
            "CN-2026-000001 of 2026-03-05, lines 1: plan changed on Feb 20 -10.70",
            "Credited -10.70 USD",
            "Amount due 0.00 USD")) {
      assertTrue(invoicePdf.contains(expected), expected + " in:\n" + invoicePdf);
    }
    assertEquals(
        """
        row,line_no,description,amount,tax,currency\r
        line,1,"Professional plan, February 2026",10.00,0.70,USD\r
        total,,amount,10.00,,USD\r
        total,,tax,0.70,,USD\r
        total,,total,10.70,,USD\r
        total,,amount_due_lowered,0.00,,USD\r
        total,,given_back (balance),10.70,,USD\r
        """,
        billing.text(path + "/csv", user("ann")).body());
    String invoiceCsv = billing.text("/invoices/" + invoice + "/csv", user("ann")).body();
    assertTrue(
        invoiceCsv.contains(
            "credit_note,1,CN-2026-000001,plan changed on Feb 20,,,,-10.00,,,,,,,,,USD\r\n"
                + "credit_note_tax,1,CN-2026-000001,plan changed on Feb 20,,,,-0.70,,,,,,,,,USD"),
        invoiceCsv);
    assertTrue(invoiceCsv.contains("total,,credited,,,,,-10.70,"), invoiceCsv);
  }

  @Test
  void onlyThePlatformAdminIssues_andANotesPdfIsItsOrganizationsOwnersAndAdmins() {
    OrgFixtures.opened(billing, "acme", "Acme", "olga", "USD", "pro", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-01-02T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-01-02T00:00:00Z");
    billing.userCreated("gus", Map.of());
    billing.flush();
    long invoice = february("acme", "sent", "INV-2026-000042");
    String request = body("{\"amount\": 1");

    Answer byOwner =
        billing.call(
            HttpMethod.POST, "/admin/invoices/" + invoice + "/credit-notes", user("olga"), request);
    Answer anonymous =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices/" + invoice + "/credit-notes",
            Caller.ANONYMOUS,
            request);

    assertEquals(403, byOwner.status());
    assertEquals(401, anonymous.status());
    long note = credit(invoice, request).body().get("id").asLong();
    String pdf = "/invoices/" + invoice + "/credit-notes/" + note + "/pdf";
    assertEquals(200, billing.text(pdf + "?org_id=acme", user("olga")).status());
    assertEquals(200, billing.text(pdf + "?org_id=acme", user("adam")).status());
    assertEquals(200, billing.text(pdf, admin("root")).status());
    Answer member = billing.call(HttpMethod.GET, pdf + "?org_id=acme", user("mia"));
    Answer otherOrganization = billing.call(HttpMethod.GET, pdf + "?org_id=acme", user("gus"));
    assertEquals(403, member.status());
    assertEquals("admin_required", text(member.body(), "/error/code"));
    assertEquals(403, otherOrganization.status());
    assertEquals("not_a_member", text(otherOrganization.body(), "/error/code"));
    assertEquals(
        404,
        billing.call(HttpMethod.GET, pdf, user("gus")).status(),
        "another organization's invoice is answered as a missing one");
    assertEquals(
        404,
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + invoice + "/credit-notes/999999/pdf?org_id=acme",
                user("olga"))
            .status());
  }
}
