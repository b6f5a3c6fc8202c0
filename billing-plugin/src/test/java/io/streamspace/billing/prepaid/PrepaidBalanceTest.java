package io.streamspace.billing.prepaid;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.Finalization;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Prepaid balances on real PostgreSQL: an admin's grant (once per key, refused naming the field,
 * audited, published), the balance read by role, and invoices paid from it after their credits,
 * once, whatever runs again.
 *
 * <p>The invoices' figures: ann runs 2 cores for 39 hours in March (78 core-hours × 0.05 = 3.90)
 * and holds a credit of 0.50, so 3.40 is left for her balance to pay.
 */
class PrepaidBalanceTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer grant(String body, Map<String, String> headers) {
    return billing.call(HttpMethod.POST, "/admin/balance", admin("root"), body, headers);
  }

  private Answer grant(String orgId, String amount) {
    return grant(
        "{\"org_id\":\"%s\",\"amount\":%s,\"currency\":\"USD\",\"reason\":\"prepaid by wire\"}"
            .formatted(orgId, amount),
        Map.of());
  }

  private Answer balance(String query, Caller caller) {
    return billing.call(HttpMethod.GET, "/balance" + query, caller);
  }

  private static long entries(String kind) {
    return (Long) value("SELECT count(*) FROM billing_prepaid_entries WHERE kind = ?", kind);
  }

  /** The organization's balance as stored, in cents. */
  private static String balanceOf(String orgId) {
    return ((BigDecimal)
            value("SELECT balance FROM billing_prepaid_balances WHERE org_id = ?", orgId))
        .setScale(2)
        .toPlainString();
  }

  @Test
  void anAdminsGrantIsStoredAuditedAndPublished_andARetryWithItsKeyGrantsNothingMore() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    String body =
        "{\"org_id\":\"ann\",\"amount\":10,\"currency\":\"USD\",\"reason\":\"prepaid by wire\"}";

    Answer first = grant(body, Map.of("idempotency-key", "wire-42"));
    Answer retry = grant(body, Map.of("idempotency-key", "wire-42"));

    assertEquals(201, first.status(), first.body().toString());
    long id = first.body().at("/entry/id").asLong();
    assertEquals(
        """
        {"org_id":"ann","currency":"USD","balance":10.00,"reserved":0.00,"available":10.00,\
        "entry":{"id":%d,"kind":"grant","amount":10.00,"balance_after":10.00,\
        "reason":"prepaid by wire","actor_type":"admin","actor_id":"root",\
        "source":"grant:root:key:d65563d0-42dd-3848-a8bb-32ea2927bea2","invoice_id":null,"invoice_number":null,\
        "created_at":"2026-03-10T12:00:00Z"}}"""
            .formatted(id),
        first.body().toString());
    assertEquals(201, retry.status());
    assertEquals(first.body(), retry.body(), "the retry answers the first grant");
    assertFalse(first.body().toString().contains("wire-42"), "the admin's key is never shown");
    assertEquals(1, entries("grant"));
    assertEquals("10.00", balanceOf("ann"));
    assertEquals(
        List.of("billing.balance.topped_up " + first.body()),
        billing.context.published(),
        "published once, as the route answers it");
    assertEquals(
        List.of(List.of("admin", "root", "prepaid by wire", "prepaid_entry:" + id)),
        rows(
            """
            SELECT actor_type, actor_id, reason, subject FROM billing_audit_entries
            WHERE kind = 'balance.grant' AND org_id = 'ann'"""));

    Answer another = grant("ann", "2.5");
    Answer reused =
        grant(body.replace("10", "5"), Map.of("idempotency-key", "wire-42")); // another amount

    assertEquals("12.50", another.body().get("balance").toString());
    assertTrue(another.body().at("/entry/source").asText().startsWith("grant:root:once:"));
    assertEquals(422, reused.status());
    assertEquals("idempotency_key_reused", reused.body().at("/error/code").asText());
    assertEquals(2, entries("grant"));
    assertEquals("12.50", balanceOf("ann"));
  }

  @Test
  void badGrantsAreRefusedNamingTheFieldAndChangeNothing() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bao", Map.of("currency", "VND"));
    billing.flush();
    // the field each body is refused for, and the body
    String refusals =
        """
        amount   | {"org_id":"ann","amount":0,"currency":"USD","reason":"r"}
        amount   | {"org_id":"ann","amount":-5,"currency":"USD","reason":"r"}
        amount   | {"org_id":"ann","amount":"10","currency":"USD","reason":"r"}
        amount   | {"org_id":"ann","currency":"USD","reason":"r"}
        amount   | {"org_id":"ann","amount":10.001,"currency":"USD","reason":"r"}
        amount   | {"org_id":"bao","amount":10.5,"currency":"VND","reason":"r"}
        reason   | {"org_id":"ann","amount":10,"currency":"USD"}
        reason   | {"org_id":"ann","amount":10,"currency":"USD","reason":" ."}
        org_id   | {"amount":10,"currency":"USD","reason":"r"}
        currency | {"org_id":"ann","amount":10,"reason":"r"}
        currency | {"org_id":"ann","amount":10,"currency":"EUR","reason":"r"}
        currency | {"org_id":"bao","amount":10,"currency":"USD","reason":"r"}
        """;
    Map<String, String> before = BillingHarness.tableContents();

    for (String refusal : refusals.strip().split("\n")) {
      String field = refusal.substring(0, refusal.indexOf('|')).strip();
      String body = refusal.substring(refusal.indexOf('|') + 1).strip();
      Answer answer = grant(body, Map.of());
      assertEquals(400, answer.status(), body + " → " + answer.body());
      assertEquals(field, answer.errorField(), body + " → " + answer.body());
    }
    Answer unknown = grant("nobody", "10");
    Answer notJson = grant("amount=10", Map.of());
    String body = "{\"org_id\":\"ann\",\"amount\":10,\"currency\":\"USD\",\"reason\":\"r\"}";

    assertEquals(404, unknown.status());
    assertEquals(400, notJson.status());
    assertEquals("invalid_json", notJson.body().at("/error/code").asText());
    assertEquals(
        401, billing.call(HttpMethod.POST, "/admin/balance", Caller.ANONYMOUS, body).status());
    assertEquals(403, billing.call(HttpMethod.POST, "/admin/balance", user("ann"), body).status());
    assertEquals(before, BillingHarness.tableContents(), "nothing stored");
    assertEquals(List.of(), billing.context.published());
  }

  /**
   * acme's owner olivia and admin adam read its balance, newest entry first, a page at a time,
   * as the platform admin does; its member mia may not (the balance is the organization's money,
   * as its credits and invoices are), nor anyone outside it.
   */
  @Test
  void theOwnerAdminsAndPlatformAdminReadTheBalanceNewestFirst_aMemberMayNot() {
    OrgFixtures.created("acme", "olivia", MARCH);
    OrgFixtures.added("acme", "adam", "admin", MARCH);
    OrgFixtures.added("acme", "mia", "member", MARCH);
    OrgFixtures.created("globex", "gus", MARCH);
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "mia",
        "2026-03-02T10:00:00Z",
        "2026-03-02T11:00:00Z",
        size("1", "0", "0"));
    billing.flush();
    for (String amount : List.of("5", "2.5", "1")) {
      assertEquals(201, grant("acme", amount).status());
    }

    Answer owner = balance("?org_id=acme&limit=2", user("olivia"));
    Answer rest = balance("?org_id=acme&limit=2&offset=2", user("olivia"));

    assertEquals(200, owner.status(), owner.body().toString());
    assertEquals("8.50", owner.body().get("balance").toString());
    assertEquals("0.00", owner.body().get("reserved").toString());
    assertEquals("8.50", owner.body().get("available").toString());
    assertEquals(
        List.of("1.00", "2.50"),
        owner.body().get("entries").findValues("amount").stream().map(JsonNode::toString).toList());
    assertEquals(
        List.of("8.50", "7.50"),
        owner.body().get("entries").findValues("balance_after").stream()
            .map(JsonNode::toString)
            .toList());
    assertEquals(2, owner.body().get("next_offset").asInt());
    assertEquals("5.00", rest.body().at("/entries/0/amount").toString());
    assertTrue(rest.body().get("next_offset").isNull());
    assertEquals(
        owner.body(), balance("?org_id=acme&limit=2", user("adam")).body(), "an admin reads it");
    assertEquals(
        owner.body(), balance("?org_id=acme&limit=2", admin("root")).body(), "the platform admin");
    Answer member = balance("?org_id=acme", user("mia"));
    assertEquals(403, member.status());
    assertEquals("admin_required", member.body().at("/error/code").asText());
    assertEquals(
        "not_a_member", balance("?org_id=acme", user("gus")).body().at("/error/code").asText());
    assertEquals(401, balance("?org_id=acme", Caller.ANONYMOUS).status());
    assertEquals(
        "{\"org_id\":\"mia\",\"currency\":\"USD\",\"balance\":0.00,\"reserved\":0.00,"
            + "\"available\":0.00,\"entries\":[],\"next_offset\":null}",
        balance("", user("mia")).body().toString(),
        "no balance held: zero, no entries");
  }

  /** ann's 78 core-hours (3.90) and a credit of 0.50 granted before her March invoice. */
  private void annsMarch(String balance) {
    billing.userCreated("ann", Map.of());
    billing.session(
        "s1", "ann", "2026-03-02T00:00:00Z", "2026-03-03T15:00:00Z", size("2", "0", "0"));
    billing.flush();
    Answer credit =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\":\"ann\",\"amount\":0.5,\"reason\":\"promotion\"}");
    assertEquals(201, credit.status(), credit.body().toString());
    assertEquals(201, grant("ann", balance).status());
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE); // opened and finalized: its grace has passed
  }

  /**
   * Balance 10.00; the invoice 3.90 less the 0.50 credit: the balance pays the 3.40 left, so the
   * invoice is paid at once and 6.60 is left. The invoice shows it as it shows credits: an
   * amount applied, a negative line explained by the balance's entry, a total row of the CSV and
   * the PDF.
   */
  @Test
  void anInvoiceIsPaidFromTheBalanceAfterItsCredits() throws Exception {
    annsMarch("10");
    long march = invoiceId("ann", MARCH);

    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("ann")).body();

    assertEquals("3.90", invoice.get("subtotal").toString());
    assertEquals("0.50", invoice.get("credits_applied").toString());
    assertEquals("3.40", invoice.get("balance_applied").toString());
    assertEquals("0.00", invoice.get("total").toString());
    assertEquals("paid", invoice.get("status").asText());
    assertEquals(
        0,
        new BigDecimal("3.90")
            .compareTo((BigDecimal) value("SELECT sum(amount) FROM billing_revenue_lines")),
        "the revenue figures count what was billed: neither the credit nor the prepaid line");
    List<String> stored = lines(march);
    assertEquals(
        List.of(
            "credit Credit: promotion null null null null -0.5",
            "prepaid Paid from the prepaid balance null null null null -3.40"),
        stored.subList(stored.size() - 2, stored.size()),
        "credits first, then the balance");
    JsonNode statement = balance("", user("ann")).body();
    assertEquals("6.60", statement.get("balance").toString());
    JsonNode paid = statement.at("/entries/0");
    assertEquals("invoice_applied", paid.get("kind").asText());
    assertEquals("-3.40", paid.get("amount").toString());
    assertEquals("6.60", paid.get("balance_after").toString());
    assertEquals("invoice:" + march, paid.get("source").asText());
    assertEquals(march, paid.get("invoice_id").asLong());
    assertEquals("INV-2026-000001", paid.get("invoice_number").asText());
    assertEquals("job", paid.get("actor_type").asText());
    assertEquals(
        1L,
        value("SELECT count(*) FROM billing_audit_entries WHERE kind = 'balance.invoice_applied'"));
    int prepaidLine = stored.size();
    JsonNode explained =
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + march + "/lines/" + prepaidLine + "/explain",
                user("ann"))
            .body();
    assertEquals("balance_entry", explained.at("/records/0/source").asText(), explained.toString());
    assertTrue(explained.at("/sums/matches_line").asBoolean(), explained.toString());
    String csv = billing.text("/invoices/" + march + "/csv", user("ann")).body();
    assertTrue(csv.contains("total,,balance_applied,,,,,-3.40,"), csv);
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + march + "/pdf", user("ann"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      String text = new PDFTextStripper().getText(document);
      assertTrue(text.contains("Prepaid balance applied -3.40 USD"), text);
    }
  }

  /**
   * Balance 2.00 covers part of the 3.40 the credit leaves: 1.40 is due, and nothing is left.
   * Voiding the invoice gives the 2.00 back, as it gives the credit back.
   */
  @Test
  void aBalanceShortOfTheInvoicePaysWhatItHasAndTheRestIsDue_andAVoidGivesItBack() {
    annsMarch("2");
    long march = invoiceId("ann", MARCH);

    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("ann")).body();

    assertEquals("2.00", invoice.get("balance_applied").toString());
    assertEquals("1.40", invoice.get("total").toString());
    assertEquals("sent", invoice.get("status").asText());
    assertEquals("0.00", balanceOf("ann"));

    Answer voided =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + march,
            admin("root"),
            "{\"status\": \"void\", \"reason\": \"wrong period\"}");

    assertEquals(200, voided.status(), voided.body().toString());
    assertEquals("2.00", balanceOf("ann"));
    JsonNode givenBack = balance("", user("ann")).body().at("/entries/0");
    assertEquals("invoice_voided", givenBack.get("kind").asText());
    assertEquals("2.00", givenBack.get("amount").toString());
    assertEquals("invoice:" + march + ":void", givenBack.get("source").asText());
    assertEquals("admin", givenBack.get("actor_type").asText());
  }

  /**
   * Three drafts in one chunk, whose balances hold 1.00 each; the collection of u1's fails, so
   * the chunk is rolled back (its payments from the balances with it) and finalized one draft
   * at a time: u0's and u2's are paid 0.05 from their balances, u1's stays a draft and pays
   * nothing. The next run finalizes u1's; a third, and the payment posted again by hand, change
   * nothing: each invoice is paid from its balance once.
   */
  @Test
  void anInvoiceIsPaidFromItsBalanceOnceWhateverRunsAgain() throws Exception {
    DataSource dataSource = TestDatabase.dataSource();
    for (int i = 0; i < 3; i++) {
      String user = "u" + i;
      billing.userCreated(user, Map.of());
      billing.session(
          "s" + i, user, "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", size("1", "0", "0"));
    }
    billing.flush();
    for (int i = 0; i < 3; i++) {
      assertEquals(201, grant("u" + i, "1").status());
    }
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // drafts: the grace has not passed

    assertThrows(SQLException.class, () -> finalizer("u1").finalizeDue(at(AFTER_GRACE)));

    assertEquals("draft", value("SELECT status FROM billing_invoices WHERE user_id = 'u1'"));
    assertEquals(
        List.of("0.95", "1.00", "0.95"),
        List.of(balanceOf("u0"), balanceOf("u1"), balanceOf("u2")));
    assertEquals(new Finalization(1, 0), finalizer("nobody").finalizeDue(at(AFTER_GRACE)));
    assertEquals(new Finalization(0, 0), finalizer("nobody").finalizeDue(at(AFTER_GRACE)));
    long u0 = invoiceId("u0", MARCH);
    List<BigDecimal> again =
        Transactions.inTransaction(
            dataSource,
            c ->
                BalanceApplier.apply(
                    c,
                    List.of(
                        new BalanceApplier.Due(u0, "u0", USD, at(MARCH), new BigDecimal("0.05"))),
                    at(AFTER_GRACE),
                    Cause.job("test")));

    assertEquals(List.of(new BigDecimal("0.05")), again, "answered the payment posted before");
    assertEquals(
        List.of("0.95", "0.95", "0.95"),
        List.of(balanceOf("u0"), balanceOf("u1"), balanceOf("u2")));
    assertEquals(
        List.of(List.of("u0", 1L), List.of("u1", 1L), List.of("u2", 1L)),
        rows(
            """
            SELECT org_id, count(*) FROM billing_prepaid_entries WHERE kind = 'invoice_applied'
            GROUP BY org_id ORDER BY org_id"""));
    assertEquals(
        List.of(new BigDecimal("0.05")),
        rows("SELECT DISTINCT balance_applied FROM billing_invoices").stream()
            .map(r -> (BigDecimal) r.get(0))
            .toList());
  }

  /** A finalizer whose collection step fails for the invoice of {@code badUser}. */
  private static InvoiceFinalizer finalizer(String badUser) {
    DataSource dataSource = TestDatabase.dataSource();
    return new InvoiceFinalizer(
        dataSource,
        new InvoiceCalculator(dataSource, BillingConfig::defaults),
        new BillingEvents((type, payload) -> {}),
        BillingConfig::defaults,
        (connection, invoice) -> {
          if (invoice.orgId().equals(badUser)) {
            throw new SQLException("collection of " + badUser + " cannot be queued");
          }
        },
        PluginMetrics.none(),
        null,
        InvoiceFinalizer.Chunking.DEFAULT);
  }

  /**
   * The schema keeps the ledger's rules, whatever writes it: no balance below zero nor below what
   * is reserved of it (no overdraft: a burn of more than the balance is refused whole), no entry
   * rewritten or of the wrong sign for its kind, and the balance is the sum of its entries.
   */
  @Test
  void theSchemaRefusesABalanceBelowZeroAndEntriesRewritten() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    grant("ann", "1");
    PrepaidLedger ledger = new PrepaidLedger(TestDatabase.dataSource());
    NewEntry burn =
        new NewEntry(
            "ann",
            USD,
            EntryKind.BURN,
            new BigDecimal("-1.01"),
            "session s1",
            "burn:s1:1",
            null,
            at("2026-03-10T13:00:00Z"),
            Cause.job("test"));

    SQLException overdraft = assertThrows(SQLException.class, () -> ledger.post(burn));

    assertEquals("23514", overdraft.getSQLState(), overdraft.getMessage()); // check_violation
    assertEquals("1.00", balanceOf("ann"));
    assertEquals(1L, value("SELECT count(*) FROM billing_prepaid_entries"));
    for (String sql :
        List.of(
            "UPDATE billing_prepaid_balances SET balance = -0.01",
            "UPDATE billing_prepaid_balances SET reserved = 1.01", // available below zero
            "UPDATE billing_prepaid_entries SET amount = 2",
            "DELETE FROM billing_prepaid_entries",
            """
            INSERT INTO billing_prepaid_entries (org_id, currency, kind, amount, balance_after,
                reason, actor_type, source, created_at)
            VALUES ('ann', 'USD', 'burn', 0.5, 1.5, 'wrong sign', 'job', 'x', now())""")) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> TestDatabase.execute(sql), sql);
      assertTrue(refused.getCause() instanceof SQLException, sql);
    }
    assertEquals(
        value("SELECT balance FROM billing_prepaid_balances WHERE org_id = 'ann'"),
        value("SELECT sum(amount) FROM billing_prepaid_entries WHERE org_id = 'ann'"));
  }
}
