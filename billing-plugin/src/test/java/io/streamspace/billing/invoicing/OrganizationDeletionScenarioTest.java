package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.grantCredit;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * org.deleted closes a team's account: its usage up to the closing is invoiced at once on a
 * final invoice (the period's plan fee prorated to the closing second, a session running through
 * the closing billed up to it only, credits applied, the next number), the monthly run makes no
 * second one, its holds are released with their events, admission refuses its new sessions and
 * its plan no longer changes, while its invoices are still read. Through the plugin's hooks
 * against real PostgreSQL, with figures worked out by hand. Defaults: hybrid mode (configured),
 * USD, UTC, invoice day 1, an hour of grace; 0.05 per core-hour; Pro is 29.99 a month and
 * includes 8 cores, 16 GB and 100 GB of storage.
 */
class OrganizationDeletionScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";

  /** The closing: April 15 at 12:00:00, in April's 30-day period. */
  private static final String CLOSING = "2026-04-15T12:00:00Z";

  /** Past the closing, its hour of grace and the heartbeat timeout. */
  private static final String AFTER_GRACE = "2026-04-15T14:30:00Z";

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), "{\"billingMode\": \"hybrid\"}");

  @AfterEach
  void unload() {
    billing.close();
  }

  private void deliver(OrganizationEvent event) {
    billing.billing.onOrganizationEvent(billing.context, event);
    billing.flush();
  }

  private static OrganizationEvent created() {
    return new OrganizationEvent(
        "o-created",
        at(MARCH),
        Type.CREATED,
        "acme",
        new Organization("Acme", "u1", "USD", "pro"),
        null);
  }

  private static OrganizationEvent deleted(String id, String at) {
    return new OrganizationEvent(id, at(at), Type.DELETED, "acme", null, null);
  }

  private void sessionEvent(String at, String kind, ResourceSize size) {
    SessionEvent event =
        new SessionEvent(UUID.randomUUID().toString(), at(at), "s1", "u2", size, "acme");
    switch (kind) {
      case "created" -> billing.billing.onSessionCreated(billing.context, event);
      case "heartbeat" -> billing.billing.onSessionHeartbeat(billing.context, event);
      default -> throw new IllegalArgumentException(kind);
    }
  }

  /**
   * acme on Pro from March 1 (its March invoice, INV-2026-000001, is made on April 1); on April
   * 15 u2 runs 10 cores and 4 GB under acme from 10:00, with a heartbeat at 14:00 (after the
   * closing, arriving late) and no end; acme has a 5.00 credit. Then the deletions, in the order
   * given.
   */
  private void acmeRunsThroughItsClosing(List<OrganizationEvent> deletions) {
    deliver(created());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    sessionEvent("2026-04-15T10:00:00Z", "created", size("10", "4", "0"));
    grantCredit("acme", "5.00", "USD", "goodwill", "2026-04-02T00:00:00Z", null);
    deletions.forEach(this::deliver);
    sessionEvent("2026-04-15T14:00:00Z", "heartbeat", size("10", "4", "0"));
  }

  /**
   * The final invoice, [April 1, April 15 12:00): the Pro fee for 14.5 of April's 30 days,
   * 29.99 × 14.5 / 30 = 14.4951666… → 14.50; cpu overage from 10:00 to 12:00 only, 10 cores
   * against Pro's 8: 2 × 2 h = 4 core-hours × 0.05 = 0.20 (to the 14:00 heartbeat it would be 8
   * core-hours, 0.40); memory 4 GB under 16: none. Subtotal 14.70, the 5.00 credit applied:
   * 9.70, numbered after March's.
   */
  private static final List<String> FINAL_LINES =
      List.of(
          "plan_fee Pro, 2026-04-01 – 2026-04-15 null null null 29.99 14.50",
          "overage cpu overage cpu 4 core-hours 0.05 0.20",
          "credit Credit: goodwill null null null null -5.00");

  /** acme's invoices, period number subtotal credits total (March's is overdue by then). */
  private static final List<String> ACME_INVOICES =
      List.of(
          "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z INV-2026-000001 29.99 0.00 29.99",
          "2026-04-01T00:00:00Z..2026-04-15T12:00:00Z INV-2026-000002 14.70 5.00 9.70");

  /** The organization's invoices as {@link InvoiceFixtures#invoices}, without their status. */
  private static List<String> numbered(String orgId) {
    return invoices(orgId).stream()
        .map(i -> i.replaceFirst(" (draft|sent|overdue|paid) ", " "))
        .toList();
  }

  @Test
  void aClosedTeamGetsAFinalInvoiceOfItsUsageUpToTheClosingWithTheFeeProratedToTheSecond() {
    acmeRunsThroughItsClosing(List.of(deleted("o-deleted", CLOSING)));

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);

    assertEquals(ACME_INVOICES, numbered("acme"));
    long last = invoiceId("acme", APRIL);
    assertEquals(FINAL_LINES, lines(last));
    assertEquals(
        List.of(),
        rows(
            "SELECT slice_start FROM billing_usage_records WHERE user_id = 'acme'"
                + " AND slice_start >= ?",
            Timestamp.from(at(CLOSING))),
        "the heartbeat after the closing is kept but bills nothing");
    assertEquals(
        true,
        value("SELECT settled FROM billing_sessions WHERE session_id = 's1'"),
        "the session is done for billing at the closing");
    JsonNode shown =
        billing.call(HttpMethod.GET, "/invoices/" + last + "?org_id=acme", admin("root")).body();
    assertTrue(shown.get("final").asBoolean(), shown.toString());
    JsonNode march =
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + invoiceId("acme", MARCH) + "?org_id=acme",
                admin("root"))
            .body();
    assertFalse(march.has("final"), "March's invoice is not the final one");
  }

  @Test
  void theMonthlyRunAfterTheFinalInvoiceMakesNoOtherAndAReRunChangesNothing() {
    acmeRunsThroughItsClosing(List.of(deleted("o-deleted", CLOSING)));
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);

    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-05-01T01:15:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-06-01T01:00:00Z");

    // no invoice for the rest of April nor for May, and the final one unchanged
    assertEquals(ACME_INVOICES, numbered("acme"));
    assertEquals(FINAL_LINES, lines(invoiceId("acme", APRIL)));
  }

  @Test
  void theMonthlyRunComingFirstMakesTheSameFinalInvoice() {
    // deleted on April 30 at 23:30: the monthly run at midnight meets it before finalize-invoices
    deliver(created());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    deliver(deleted("o-deleted", "2026-04-30T23:30:00Z"));

    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-05-01T01:15:00Z");

    // the fee for 29 days and 23.5 hours of 30: 29.99 × 719.5 / 720 = 29.969173… → 29.97
    assertEquals(
        "2026-04-01T00:00:00Z..2026-04-30T23:30:00Z sent INV-2026-000002 29.97 0.00 29.97",
        invoices("acme").get(1));
    assertEquals(2, invoices("acme").size());
  }

  @Test
  void deletionsInAnyOrderAndTwiceGiveTheSameFinalInvoiceTheEarliestWinning() {
    // a later second org.deleted first, then the first one twice
    acmeRunsThroughItsClosing(
        List.of(
            deleted("o-deleted-later", "2026-04-15T13:00:00Z"),
            deleted("o-deleted", CLOSING),
            deleted("o-deleted", CLOSING)));

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);

    assertEquals(ACME_INVOICES, numbered("acme"));
    assertEquals(FINAL_LINES, lines(invoiceId("acme", APRIL)));
  }

  @Test
  void anOrgDeletedArrivingBeforeOrgCreatedClosesTheAccountOnceItIsOpened() {
    deliver(deleted("o-deleted", "2026-03-11T00:00:00Z"));
    deliver(created());

    billing.runAt(FINALIZE_INVOICES, "2026-03-11T01:15:00Z");

    // 10 of March's 31 days: 29.99 × 10 / 31 = 9.674193… → 9.67
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-03-11T00:00:00Z sent INV-2026-000001 9.67 0.00 9.67"),
        invoices("acme"));
  }

  @Test
  void theClosingReleasesTheOrganizationsHoldsWithTheirEventsAndNoneIsPlacedAgain() {
    deliver(created());
    rows(
        """
        INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)
        VALUES ('acme', 'over_limit', 'Over the plan''s cores.', ?) RETURNING id""",
        Timestamp.from(at("2026-03-10T00:00:00Z")));
    deliver(deleted("o-deleted", CLOSING));

    billing.runAt("check-quotas", AFTER_GRACE);

    assertEquals(
        List.of(List.of("billing", "the organization was closed")),
        rows("SELECT lifted_by, lift_note FROM billing_account_holds WHERE user_id = 'acme'"));
    assertTrue(
        billing.context.published().stream()
            .anyMatch(e -> e.startsWith("billing.account.resumed") && e.contains("acme")),
        billing.context.published().toString());
    billing.runAt("check-quotas", "2026-04-15T15:00:00Z");
    assertEquals(
        1L,
        ((Number) value("SELECT count(*) FROM billing_account_holds WHERE user_id = 'acme'"))
            .longValue(),
        "no hold placed again");
  }

  @Test
  void admissionRefusesTheClosedOrganizationsNewSessionsButNotItsMembersOwn() {
    deliver(created());
    deliver(deleted("o-deleted", CLOSING));
    billing.clock.set(at(AFTER_GRACE));

    AdmissionDecision underAcme =
        billing.billing.admit(new AdmissionRequest("u2", null, size("1", "1", "0"), "acme"));
    AdmissionDecision personal =
        billing.billing.admit(new AdmissionRequest("u2", null, size("1", "1", "0")));

    assertEquals("organization_closed", underAcme.code());
    assertTrue(personal.allowed(), "u2's own organization is open");
  }

  @Test
  void theOwnerStillReadsAndPaysTheInvoicesButNoLongerChangesThePlan() {
    acmeRunsThroughItsClosing(List.of(deleted("o-deleted", CLOSING)));
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);

    Answer change =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("u1"),
            "{\"plan_id\": \"free\", \"org_id\": \"acme\"}");
    Answer limit =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            user("u1"),
            "{\"amount\": 100, \"action\": \"warn\", \"org_id\": \"acme\"}");
    Answer list = billing.call(HttpMethod.GET, "/invoices?org_id=acme", user("u1"));

    assertEquals(409, change.status(), change.body().toString());
    assertEquals("organization_closed", change.body().get("error").get("code").asText());
    assertEquals(409, limit.status(), limit.body().toString());
    assertEquals("organization_closed", limit.body().get("error").get("code").asText());
    assertEquals(200, list.status());
    assertEquals(2, list.body().get("invoices").size(), list.body().toString());
    assertEquals(
        "pro",
        value("SELECT plan_id FROM billing_subscriptions WHERE user_id = 'acme'"),
        "the plan is unchanged");
    assertEquals("0.00", remaining(creditOf("acme")));
  }

  /**
   * acme buys the one-time slots-5 (5.00, 30 days) and the recurring storage-10 (2.00 a period)
   * on April 1 at 00:00 and is deleted on April 15 at 12:00. The final invoice: the Pro fee
   * 14.50 (as above), the slots in full, 5.00, and the storage pack for 14.5 of April's 30 days,
   * 2.00 × 14.5 / 30 = 0.9666… → 0.97: 20.47. May bills nothing (no invoice), and the slots can
   * no longer be renewed.
   */
  @Test
  void packsAreBilledUpToTheClosingAndARenewalAfterItIsRefused() {
    deliver(created());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    long slots = buy("/packs/slots-5/purchase");
    buy("/packs/storage-10/purchase");
    deliver(deleted("o-deleted", CLOSING));

    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);
    Answer renew =
        billing.call(
            HttpMethod.POST,
            "/purchases/" + slots + "/renew",
            user("u1"),
            "{\"org_id\": \"acme\"}");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of(
            "plan_fee Pro, 2026-04-01 – 2026-04-15 null null null 29.99 14.50",
            "pack 5 job slots, 2026-04-01 – 2026-05-01 null null null 5.00 5.00",
            "pack 10 GB storage, 2026-04-01 – 2026-04-15 null null null 2.00 0.97"),
        lines(invoiceId("acme", APRIL)));
    assertEquals(
        "2026-04-01T00:00:00Z..2026-04-15T12:00:00Z INV-2026-000002 20.47 0.00 20.47",
        numbered("acme").get(1));
    assertEquals(2, numbered("acme").size(), "nothing for May");
    assertEquals(409, renew.status(), renew.body().toString());
    assertEquals("organization_closed", renew.body().get("error").get("code").asText());
  }

  private long buy(String path) {
    Answer answer = billing.call(HttpMethod.POST, path, user("u1"), "{\"org_id\": \"acme\"}");
    assertEquals(201, answer.status(), answer.body().toString());
    return answer.body().get("id").asLong();
  }

  private static long creditOf(String userId) {
    return ((Number) value("SELECT id FROM billing_credits WHERE user_id = ?", userId)).longValue();
  }
}
