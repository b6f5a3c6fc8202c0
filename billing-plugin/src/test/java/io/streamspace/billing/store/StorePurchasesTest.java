package io.streamspace.billing.store;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Buying from the store through the routes, paid on the invoice, with the figures worked out by
 * hand. Usage mode with no usage, so store lines are the invoices' only lines; UTC, invoice day
 * 1, one hour of grace. Two items on sale from March 1: Midnight, one-time at 4.99 USD or
 * 120,000 VND; Dusk, 30 days of access at 2.50 USD (no VND price). ann's organization pays in
 * USD, thu's in VND.
 */
class StorePurchasesTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final String MARCH_FINALIZED = "2026-04-01T01:00:00Z";
  private static final String APRIL_FINALIZED = "2026-05-01T01:00:00Z";
  private static final Caller PLATFORM = new Caller("streamspace", Set.of(Caller.ROLE_PLATFORM));

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), BillingHarness.USD_AND_VND_CONFIG);
  private long midnight;
  private long dusk;

  @BeforeEach
  void putOnSale() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    midnight = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    dusk =
        StoreFixtures.listed(
            billing, ThemeBundles.timeLimited("Dusk", "2.1.0", 30, "{\"USD\": 2.50}"));
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer buy(String user, long item) {
    return billing.call(HttpMethod.POST, "/store/items/" + item + "/purchase", user(user), "");
  }

  private Answer refund(long purchase, String body) {
    return billing.call(
        HttpMethod.POST, "/admin/store/purchases/" + purchase + "/refund", admin("root"), body);
  }

  private JsonNode entitlements(String query, Caller caller) {
    Answer answer = billing.call(HttpMethod.GET, "/entitlements" + query, caller);
    assertEquals(200, answer.status(), answer.toString());
    return answer.body().get("entitlements");
  }

  /** Each entitlement as {@code org item until}. */
  private static List<String> shown(JsonNode entitlements) {
    List<String> shown = new ArrayList<>();
    entitlements.forEach(
        e ->
            shown.add(
                e.get("org_id").asText()
                    + " "
                    + e.get("item_name").asText()
                    + " "
                    + e.get("until").asText()));
    return shown;
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(p -> p.startsWith(type + " ")).toList();
  }

  @Test
  void anOwnerBuysAnItemForGood_paidOnceOnTheNextInvoiceInTheOrganizationsCurrency() {
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    Answer bought = buy("ann", midnight);
    Answer again = buy("ann", midnight);
    Answer thuBought = buy("thu", midnight);

    assertEquals(201, bought.status(), bought.toString());
    JsonNode purchase = bought.body().get("purchase");
    assertEquals("active", purchase.get("status").asText());
    assertEquals("invoice", purchase.get("pay").asText());
    assertEquals(new BigDecimal("4.99"), purchase.get("price").decimalValue());
    assertEquals("USD", purchase.get("currency").asText());
    assertEquals("cara", purchase.get("creator_id").asText());
    assertTrue(bought.body().at("/entitlement/until").isNull(), bought.toString());
    assertEquals("2026-03-10T12:00:00Z", bought.body().at("/entitlement/since").asText());
    assertEquals(409, again.status());
    assertEquals("already_owned", again.body().at("/error/code").asText());
    assertEquals(new BigDecimal("120000"), thuBought.body().at("/purchase/price").decimalValue());
    assertEquals(2, published("billing.entitlement.granted").size(), "once per purchase");

    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    billing.runAt(GENERATE_INVOICES, APRIL_FINALIZED);

    assertEquals(
        List.of("store Midnight 1.0.0 (store), for good null null null 4.99 4.99"),
        lines(invoiceId("ann", MARCH)));
    assertEquals(List.of(), lines(invoiceId("ann", APRIL)), "billed once");
    assertEquals(
        List.of("store Midnight 1.0.0 (store), for good null null null 120000 120000"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(List.of("ann Midnight null"), shown(entitlements("", user("ann"))));
  }

  @Test
  void aTimeLimitedAccessEndsToTheSecond_aSecondPurchaseExtendsIt_andItsEndIsAnnouncedOnce() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    Answer first = buy("ann", dusk); // March 10 → April 9
    billing.clock.set(at("2026-03-20T00:00:00Z"));
    Answer second = buy("ann", dusk); // from where the first ends: April 9 → May 9

    assertEquals("2026-04-09T00:00:00Z", first.body().at("/purchase/access_until").asText());
    assertEquals("2026-04-09T00:00:00Z", second.body().at("/purchase/access_from").asText());
    assertEquals("2026-05-09T00:00:00Z", second.body().at("/entitlement/until").asText());

    billing.runAt("check-quotas", "2026-04-10T00:00:00Z");
    assertEquals(List.of(), published("billing.entitlement.expired"), "continued, not ended");
    billing.clock.set(at("2026-05-08T23:59:59Z"));
    assertEquals(List.of("ann Dusk 2026-05-09T00:00:00Z"), shown(entitlements("", user("ann"))));
    billing.clock.set(at("2026-05-09T00:00:00Z"));
    assertEquals(List.of(), shown(entitlements("", user("ann"))), "ended at its second");
    billing.runAt("check-quotas", "2026-05-09T00:00:01Z");
    billing.runAt("check-quotas", "2026-05-09T00:05:00Z");

    List<String> expired = published("billing.entitlement.expired");
    assertEquals(1, expired.size(), expired.toString());
    assertTrue(expired.get(0).contains("\"until\":\"2026-05-09T00:00:00Z\""), expired.get(0));
    assertTrue(expired.get(0).contains("\"reason\":\"ended\""), expired.get(0));
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    assertEquals(
        List.of(
            "store Dusk 2.1.0 (store), 2026-03-10 – 2026-04-09 null null null 2.50 2.50",
            "store Dusk 2.1.0 (store), 2026-04-09 – 2026-05-09 null null null 2.50 2.50"),
        lines(invoiceId("ann", MARCH)),
        "each purchase in the period it was bought in");
  }

  @Test
  void aRefundEndsTheAccessAtOnce_neverBilledBeforeAnInvoice_creditedBackAfter() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long annPurchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    long thuPurchase = buy("thu", midnight).body().at("/purchase/id").asLong();

    Answer noReason = refund(annPurchase, "{}");
    Answer refunded = refund(annPurchase, "{\"reason\": \"bought by mistake\"}");
    Answer twice = refund(annPurchase, "{\"reason\": \"again\"}");

    assertEquals(400, noReason.status());
    assertEquals("reason", noReason.errorField());
    assertEquals(200, refunded.status(), refunded.toString());
    assertEquals("refunded", refunded.body().get("status").asText());
    assertEquals("bought by mistake", refunded.body().get("refund_reason").asText());
    assertEquals(409, twice.status());
    assertEquals("already_refunded", twice.body().at("/error/code").asText());
    assertEquals(List.of(), shown(entitlements("", user("ann"))));

    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    assertEquals(List.of(), lines(invoiceId("ann", MARCH)), "refunded before any invoice");
    assertEquals(
        List.of("store Midnight 1.0.0 (store), for good null null null 120000 120000"),
        lines(invoiceId("thu", MARCH)));

    billing.clock.set(at("2026-04-02T00:00:00Z"));
    assertEquals(200, refund(thuPurchase, "{\"reason\": \"theme broken\"}").status());

    assertEquals(
        new BigDecimal("120000"),
        value("SELECT amount FROM billing_credits WHERE user_id = 'thu'"),
        "what the March invoice billed, credited back");
    List<String> expired = published("billing.entitlement.expired");
    assertEquals(2, expired.size(), expired.toString());
    assertTrue(expired.get(1).contains("\"reason\":\"refunded\""), expired.get(1));
    assertEquals(
        List.of("store_purchase.bought", "store_purchase.refunded"),
        auditKinds("thu"),
        "both changes of money in the audit trail");
  }

  @Test
  void eachPurchaseIsTheCreatorsSale_andARefundClawsItBack() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long annPurchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    buy("thu", midnight);
    refund(annPurchase, "{\"reason\": \"bought by mistake\"}");

    // USD by default as Shopify's theme store: 0 % of the first 1,000,000.00 a year; VND by
    // default 30 % up to 50,000,000 a month: 120,000 × 0.30 = 36,000 to the platform
    assertEquals(
        List.of(
            "sale USD 4.99 0.00 4.99",
            "sale VND 120000.00 36000.00 84000.00",
            "refund USD -4.99 0.00 -4.99"),
        BillingHarness.rows(
                "SELECT kind, currency, gross, platform_share, creator_share"
                    + " FROM billing_store_sales WHERE creator_id = 'cara' ORDER BY id")
            .stream()
            .map(
                row ->
                    row.stream()
                        .map(v -> v instanceof BigDecimal d ? d.toPlainString() : v.toString())
                        .reduce((a, b) -> a + " " + b)
                        .orElseThrow())
            .toList());
  }

  @Test
  void aVoidedInvoiceGivesItsPurchaseToTheNextInvoice_andStillExplainsItsLine() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    buy("ann", midnight);
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    long march = invoiceId("ann", MARCH);

    Answer voided =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + march,
            admin("root"),
            "{\"status\": \"void\", \"reason\": \"wrong address\"}");
    Answer explained =
        billing.call(HttpMethod.GET, "/invoices/" + march + "/lines/1/explain", user("ann"));
    billing.runAt(GENERATE_INVOICES, APRIL_FINALIZED);

    assertEquals(200, voided.status(), voided.toString());
    assertEquals(200, explained.status(), explained.toString());
    assertEquals("store_purchase", explained.body().at("/records/0/source").asText());
    assertEquals(new BigDecimal("4.99"), explained.body().at("/records/0/amount").decimalValue());
    assertEquals(
        List.of("store Midnight 1.0.0 (store), for good null null null 4.99 4.99"),
        lines(invoiceId("ann", APRIL)),
        "billed again, once, by the next invoice");
  }

  /**
   * ann's March invoice bills Midnight, 4.99; on April 2 an admin refunds it (a credit of 4.99,
   * to even out the invoice she still owes), then on April 3 voids that invoice: the void gives
   * the 4.99 back itself, so the credit is forfeited then, whole, and her April invoice (Dusk,
   * 2.50) is not paid by it. Without that she would be given 4.99 twice: nothing to pay, and
   * 2.49 still to spend.
   */
  @Test
  void aRefundsCreditIsForfeitedWhenTheInvoiceThatBilledThePurchaseIsVoided_neverGivenBackTwice() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long purchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    long march = invoiceId("ann", MARCH);
    billing.clock.set(at("2026-04-02T00:00:00Z"));
    assertEquals(200, refund(purchase, "{\"reason\": \"theme broken\"}").status());
    buy("ann", dusk);

    billing.clock.set(at("2026-04-03T00:00:00Z"));
    Answer voided = voidInvoice(march);
    billing.runAt(GENERATE_INVOICES, APRIL_FINALIZED);

    assertEquals(200, voided.status(), voided.toString());
    assertEquals(
        List.of(
            List.of(BigDecimal.ZERO, new BigDecimal("4.99"), "2026-04-03T00:00:00Z", "2026-04-03")),
        BillingHarness.rows(
            "SELECT remaining, expired_amount, to_char(expired_at AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(expires_at AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD') FROM billing_credits WHERE user_id = 'ann'"));
    assertEquals(
        List.of("store Dusk 2.1.0 (store), 2026-04-02 – 2026-05-02 null null null 2.50 2.50"),
        lines(invoiceId("ann", APRIL)),
        "the refunded purchase is not billed again");
    assertEquals(
        new BigDecimal("2.50"),
        value("SELECT total FROM billing_invoices WHERE id = ?", invoiceId("ann", APRIL)),
        "no credit applied");
    assertEquals(
        List.of(Arrays.asList("admin", "billed in error", "0", "4.99")),
        BillingHarness.rows(
            "SELECT actor_type, reason, after ->> 'remaining', after ->> 'expired_amount'"
                + " FROM billing_audit_entries WHERE kind = 'credit.revoked'"));
  }

  /**
   * The refund's credit paid 4.99 of April's invoice (Dusk twice, 5.00; 0.01 left to pay) before
   * March's was voided: the void would give that back a second time, so it is refused with
   * nothing changed; once April's invoice is voided (its 4.99 given back to the credit), March's
   * void goes through and forfeits the 4.99.
   */
  @Test
  void aVoidIsRefusedWhileTheRefundsCreditHasPaidAnotherInvoice_andGoesThroughOnceThatIsVoided() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long purchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    long march = invoiceId("ann", MARCH);
    billing.clock.set(at("2026-04-02T00:00:00Z"));
    refund(purchase, "{\"reason\": \"theme broken\"}");
    buy("ann", dusk);
    buy("ann", dusk);
    billing.runAt(GENERATE_INVOICES, APRIL_FINALIZED);
    long april = invoiceId("ann", APRIL);
    Map<String, String> before = BillingHarness.tableContents();

    billing.clock.set(at("2026-05-03T00:00:00Z"));
    Answer refused = voidInvoice(march);

    assertEquals(409, refused.status(), refused.toString());
    assertEquals("refund_credit_used", refused.body().at("/error/code").asText());
    assertTrue(refused.body().at("/error/message").asText().contains("has paid $4.99 of"));
    assertEquals(before, BillingHarness.tableContents(), "nothing changed");

    assertEquals(200, voidInvoice(april).status());
    assertEquals(200, voidInvoice(march).status());
    assertEquals(
        new BigDecimal("4.99"),
        value("SELECT expired_amount FROM billing_credits WHERE user_id = 'ann'"));
  }

  private Answer voidInvoice(long id) {
    return billing.call(
        HttpMethod.PATCH,
        "/admin/invoices/" + id,
        admin("root"),
        "{\"status\": \"void\", \"reason\": \"billed in error\"}");
  }

  /** Voided first: the purchase is no longer billed by any invoice, so its refund credits none. */
  @Test
  void aPurchaseRefundedAfterItsInvoiceWasVoidedIsCreditedNothing_andNeverBilledAgain() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long purchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    billing.clock.set(at("2026-04-02T00:00:00Z"));
    billing.call(
        HttpMethod.PATCH,
        "/admin/invoices/" + invoiceId("ann", MARCH),
        admin("root"),
        "{\"status\": \"void\", \"reason\": \"billed in error\"}");

    assertEquals(200, refund(purchase, "{\"reason\": \"theme broken\"}").status());
    billing.runAt(GENERATE_INVOICES, APRIL_FINALIZED);

    assertEquals(0L, value("SELECT count(*) FROM billing_credits"));
    assertEquals(List.of(), lines(invoiceId("ann", APRIL)));
  }

  private Answer creditNote(long invoice, String body) {
    return billing.call(
        HttpMethod.POST, "/admin/invoices/" + invoice + "/credit-notes", admin("root"), body);
  }

  /**
   * A purchase its invoice billed is given back once, by a credit note on its line and its refund
   * together, whichever comes first. ann's March invoice bills Midnight, 4.99 (line 1): a note
   * credits 1.99 of the line, then the purchase is refunded: its credit is the 4.99 − 1.99 = 3.00
   * the note left, never 4.99 more. thu's March invoice bills it at 120,000 VND: the refund comes
   * first, a credit of 120,000; a note on the line is then refused, with nothing changed: the
   * refund gave the line back already.
   */
  @Test
  void aPurchaseOnAnInvoiceIsGivenBackOnce_byACreditNoteOnItsLineAndItsRefundTogether() {
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long annPurchase = buy("ann", midnight).body().at("/purchase/id").asLong();
    long thuPurchase = buy("thu", midnight).body().at("/purchase/id").asLong();
    billing.runAt(GENERATE_INVOICES, MARCH_FINALIZED);
    billing.clock.set(at("2026-04-02T00:00:00Z"));

    Answer note =
        creditNote(
            invoiceId("ann", MARCH),
            """
            {"lines": [{"line": 1, "amount": 1.99}], "reason": "theme half broken",
             "refund": "none"}""");
    Answer refunded = refund(annPurchase, "{\"reason\": \"theme broken\"}");

    assertEquals(201, note.status(), note.toString());
    assertEquals(200, refunded.status(), refunded.toString());
    assertEquals(
        List.of(List.of(new BigDecimal("3.00"))),
        BillingHarness.rows("SELECT amount FROM billing_credits WHERE user_id = 'ann'"),
        "4.99 − the note's 1.99");

    assertEquals(200, refund(thuPurchase, "{\"reason\": \"theme broken\"}").status());
    Map<String, String> before = BillingHarness.tableContents();
    Answer onTheLine =
        creditNote(
            invoiceId("thu", MARCH),
            """
            {"lines": [{"line": 1, "amount": 1000}], "reason": "theme broken",
             "refund": "none"}""");
    Answer onTheInvoice =
        creditNote(
            invoiceId("thu", MARCH),
            "{\"amount\": 1000, \"reason\": \"theme broken\", \"refund\": \"none\"}");

    assertEquals(409, onTheLine.status(), onTheLine.toString());
    assertEquals("over_credit", onTheLine.body().at("/error/code").asText());
    assertTrue(
        onTheLine.body().at("/error/message").asText().contains("refunded"), onTheLine.toString());
    assertEquals(409, onTheInvoice.status(), onTheInvoice.toString());
    assertEquals("over_credit", onTheInvoice.body().at("/error/code").asText());
    assertEquals(before, BillingHarness.tableContents(), "nothing changed");
  }

  private static List<String> auditKinds(String org) {
    List<String> kinds = new ArrayList<>();
    BillingHarness.rows(
            "SELECT kind FROM billing_audit_entries WHERE org_id = ? AND kind LIKE 'store%'"
                + " ORDER BY id",
            org)
        .forEach(row -> kinds.add((String) row.get(0)));
    return kinds;
  }

  @Test
  void onlyTheOwnerBuys_anItemNotOnSaleOrNotPricedInTheCurrencyIsRefused_andNothingIsStored() {
    Answer byStranger =
        billing.call(
            HttpMethod.POST,
            "/store/items/" + midnight + "/purchase",
            user("bob"),
            "{\"org_id\": \"ann\"}");
    Answer noVndPrice = buy("thu", dusk);
    Answer unknown = buy("ann", 999_999);

    assertEquals(403, byStranger.status(), byStranger.toString());
    assertEquals(409, noVndPrice.status());
    assertEquals("not_sold_in_currency", noVndPrice.body().at("/error/code").asText());
    assertEquals(404, unknown.status());
    assertEquals(0L, value("SELECT count(*) FROM billing_store_purchases"));
  }

  @Test
  void thePlatformReadsAnyOrganizationsEntitlements_aUserOnlyTheirOwn() {
    buy("ann", midnight);

    assertEquals(List.of("ann Midnight null"), shown(entitlements("?org_id=ann", PLATFORM)));
    assertEquals(List.of("ann Midnight null"), shown(entitlements("?user_id=ann", PLATFORM)));
    assertEquals(List.of("ann Midnight null"), shown(entitlements("?org_id=ann", user("ann"))));
    assertEquals(
        403, billing.call(HttpMethod.GET, "/entitlements?user_id=ann", user("bob")).status());
    assertEquals(
        403, billing.call(HttpMethod.GET, "/entitlements?org_id=ann", user("bob")).status());
    assertEquals(List.of(), shown(entitlements("", user("thu"))));
  }
}
