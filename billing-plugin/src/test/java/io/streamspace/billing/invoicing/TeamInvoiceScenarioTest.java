package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A team organization's invoice broken down by member: each usage and overage line split among
 * the members whose sessions made it, the organization-wide charges (plan fee, storage) in the
 * organization's row, the rows adding up to the subtotal to the cent; stored at finalization,
 * so that nothing after changes it. Through the plugin's hooks against real PostgreSQL, with
 * figures worked out by hand. Defaults: USD, UTC, invoice day 1, one hour of grace; 0.05 per
 * core-hour, 0.01 per GB-hour, 0.10 per GB-month (730 hours); Pro is 29.99 and includes 8
 * cores, 16 GB and 100 GB of storage.
 */
class TeamInvoiceScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";

  /** Past midnight of April 1 and its hour of grace: March is invoiced and finalized at once. */
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private void open(String billingMode) {
    billing = new BillingHarness(at(MARCH), "{\"billingMode\": \"" + billingMode + "\"}");
  }

  /** acme, on Pro from March 1, owned by u1; u2 and u3 its members. */
  private void acmeOnPro() {
    deliver(
        new OrganizationEvent(
            "o1",
            at(MARCH),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", "USD", "pro"),
            null));
    deliver(member("o2", "u2"));
    deliver(member("o3", "u3"));
  }

  private static OrganizationEvent member(String id, String userId) {
    return new OrganizationEvent(
        id, at(MARCH), Type.MEMBER_ADDED, "acme", null, new Membership(userId, Role.MEMBER));
  }

  private void deliver(OrganizationEvent event) {
    billing.billing.onOrganizationEvent(billing.context, event);
    billing.flush();
  }

  private void session(String id, String userId, String from, String to, ResourceSize size) {
    OrgFixtures.session(billing, "acme", id, userId, from, to, size);
  }

  private JsonNode invoice(long id) {
    return billing.call(HttpMethod.GET, "/invoices/" + id + "?org_id=acme", admin("root")).body();
  }

  /**
   * Hybrid: on March 10, u1 runs 8 cores and 4 GB from 10:00 to 11:00 and u2 4 cores and 8 GB
   * from 10:00 to 10:30, both under acme, whose storage they report at 150 GB (kept to the
   * period end).
   *
   * <p>Lines: the Pro fee, 29.99. cpu in the 10:00 hour: 8 × 3,600 + 4 × 1,800 = 36,000
   * core-seconds against 8 × 3,600 = 28,800 included: 7,200 over (2 core-hours) × 0.05 = 0.10;
   * memory 4 + 4 = 8 GB-hours, under 16: none. Storage: 50 GB over Pro's 100 from 10:00 on
   * March 10 to April 1, 518 h: 25,900 GB-hours = 35.479452 GB-months × 0.10 = 3.5479… →
   * 3.55. Subtotal 29.99 + 0.10 + 3.55 = 33.64.
   *
   * <p>By member: the hour's 7,200 core-seconds over are shared as its use, u1 28,800 / 36,000
   * of them (5,760 = 1.6 core-hours: 0.08) and u2 7,200 / 36,000 (1,440 = 0.4: 0.02). The fee
   * and the storage are the organization's: 29.99 + 3.55 = 33.54. 0.08 + 0.02 + 33.54 = 33.64.
   */
  private void twoMembersOverThePlanInHybridMode() {
    open("hybrid");
    acmeOnPro();
    session("s1", "u1", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", size("8", "4", "150"));
    session("s2", "u2", "2026-03-10T10:00:00Z", "2026-03-10T10:30:00Z", size("4", "4", "150"));
  }

  private static final String TWO_MEMBERS =
      "[{\"user_id\":\"u1\",\"usage\":[{\"line_no\":2,\"quantity\":1.6,\"amount\":0.08}],"
          + "\"amount\":0.08},"
          + "{\"user_id\":\"u2\",\"usage\":[{\"line_no\":2,\"quantity\":0.4,\"amount\":0.02}],"
          + "\"amount\":0.02}]";

  @Test
  void aTeamsFinalizedInvoiceSharesEachMembersOverageAndLeavesTheFeeAndStorageToTheOrganization() {
    twoMembersOverThePlanInHybridMode();

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    long march = invoiceId("acme", MARCH);
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 29.99 29.99",
            "overage cpu overage cpu 2 core-hours 0.05 0.10",
            "overage storage overage storage 35.479452 gb-months 0.1 3.55"),
        lines(march));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 33.64 0.00 33.64"),
        invoices("acme"));
    JsonNode body = invoice(march);
    String pdf = pdfText(march);
    assertEquals(TWO_MEMBERS, body.get("by_member").toString());
    assertEquals(new BigDecimal("33.54"), body.get("organization_amount").decimalValue());
    assertEquals(
        List.of(
            List.of(1, "null", "29.99"),
            List.of(2, "u1", "0.08"),
            List.of(2, "u2", "0.02"),
            List.of(3, "null", "3.55")),
        rows(
            """
            SELECT line_no, coalesce(user_id, 'null'), amount::text
            FROM billing_invoice_member_amounts WHERE invoice_id = ?
            ORDER BY line_no, user_id NULLS FIRST""",
            march),
        "stored with the invoice, a part per member of each line");
    assertTrue(
        pdf.contains(
            "By member (of the subtotal, before credits)\nu1 0.08 USD\nu2 0.02 USD\n"
                + "Organization 33.54 USD"),
        pdf);
  }

  private String pdfText(long invoiceId) {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + invoiceId + "/pdf?org_id=acme", admin("root"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aDraftShowsTheBreakdownItsFinalizationThenStores() {
    twoMembersOverThePlanInHybridMode();
    billing.calculateUsageAt("2026-04-01T00:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:30:00Z");
    long march = invoiceId("acme", MARCH);

    JsonNode draft = invoice(march);
    billing.runAt(FINALIZE_INVOICES, AFTER_GRACE);
    JsonNode finalized = invoice(march);

    assertEquals("draft", draft.get("status").asText());
    assertEquals(TWO_MEMBERS, draft.get("by_member").toString());
    assertEquals(new BigDecimal("33.54"), draft.get("organization_amount").decimalValue());
    assertEquals("sent", finalized.get("status").asText());
    assertEquals(draft.get("by_member"), finalized.get("by_member"));
    assertEquals(draft.get("organization_amount"), finalized.get("organization_amount"));
  }

  /**
   * Usage mode, three members sharing the cpu line: each runs 1 core for 20 minutes on March 10,
   * 1,200 core-seconds, 1/3 core-hour × 0.05 = 0.016666… each; the line is 1 core-hour × 0.05 =
   * 0.05. Rounded alone each share would be 0.02, 0.06 in all, a cent more than the line. By
   * largest remainder: 0.01 each, and the 2 cents left go to the largest remainders, equal, so
   * to the smaller user ids: u1 0.02, u2 0.02, u3 0.01. No storage, no fee: the organization's
   * row is 0.00.
   */
  @Test
  void threeMembersSharingACentTheLineCannotDivideGetPartsAddingUpToIt() {
    open("usage");
    acmeOnPro();
    session("s1", "u1", "2026-03-10T10:00:00Z", "2026-03-10T10:20:00Z", size("1", "0", "0"));
    session("s2", "u2", "2026-03-10T10:20:00Z", "2026-03-10T10:40:00Z", size("1", "0", "0"));
    session("s3", "u3", "2026-03-10T10:40:00Z", "2026-03-10T11:00:00Z", size("1", "0", "0"));

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    long march = invoiceId("acme", MARCH);
    assertEquals(List.of("usage cpu usage cpu 1 core-hours 0.05 0.05"), lines(march));
    JsonNode body = invoice(march);
    assertEquals(
        List.of("u1 0.333333 0.02", "u2 0.333333 0.02", "u3 0.333333 0.01"),
        rowsOf(body.get("by_member")));
    assertEquals(new BigDecimal("0.00"), body.get("organization_amount").decimalValue());
    assertEquals(new BigDecimal("0.05"), body.get("subtotal").decimalValue());
  }

  /** Each member's row as {@code "user quantity amount"}, of their one line. */
  private static List<String> rowsOf(JsonNode byMember) {
    return StreamSupport.stream(byMember.spliterator(), false)
        .map(
            m ->
                m.get("user_id").asText()
                    + " "
                    + m.get("usage").get(0).get("quantity").decimalValue().toPlainString()
                    + " "
                    + m.get("amount").decimalValue().toPlainString())
        .toList();
  }

  @Test
  void aMemberRemovedAfterFinalizationLeavesTheInvoicesBreakdownAsItWas() {
    twoMembersOverThePlanInHybridMode();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    long march = invoiceId("acme", MARCH);
    JsonNode before = invoice(march);

    deliver(
        new OrganizationEvent(
            UUID.randomUUID().toString(),
            at("2026-04-02T09:00:00Z"),
            Type.MEMBER_REMOVED,
            "acme",
            null,
            new Membership("u2", null)));
    // what a recomputation would see differently: u2's session no longer theirs
    rows("UPDATE billing_sessions SET user_id = 'u1' WHERE session_id = 's2' RETURNING 1");
    JsonNode after = invoice(march);

    assertEquals(TWO_MEMBERS, before.get("by_member").toString());
    assertEquals(before.get("by_member"), after.get("by_member"));
    assertEquals(before.get("organization_amount"), after.get("organization_amount"));
  }

  /**
   * A personal organization's invoice has no breakdown: its one member is the account. u1 runs
   * 2 cores for an hour alone: 2 core-hours × 0.05 = 0.10.
   */
  @Test
  void aPersonalOrganizationsInvoiceHasNoBreakdownByMember() {
    open("usage");
    billing.session(
        "s1", "u1", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", size("2", "0", "0"));
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    long march = invoiceId("u1", MARCH);

    JsonNode body = billing.call(HttpMethod.GET, "/invoices/" + march, user("u1")).body();

    assertEquals(new BigDecimal("0.10"), body.get("subtotal").decimalValue());
    assertFalse(body.has("by_member"));
    assertFalse(body.has("organization_amount"));
    assertEquals(
        List.of(List.of(0L)),
        rows("SELECT count(*) FROM billing_invoice_member_amounts WHERE invoice_id = ?", march));
  }

  @Test
  void theSchemaRefusesPartsThatDoNotAddUpToTheirLine() {
    twoMembersOverThePlanInHybridMode();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    long march = invoiceId("acme", MARCH);

    // a cent more to u2: line 2 (0.10) would be 0.08 + 0.03
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                rows(
                    """
                    UPDATE billing_invoice_member_amounts SET amount = 0.03
                    WHERE invoice_id = ? AND user_id = 'u2' RETURNING 1""",
                    march));

    assertTrue(String.valueOf(refused.getCause()).contains("do not add up"), refused.toString());
    assertEquals(
        List.of(List.of("0.02")),
        rows(
            """
            SELECT amount::text FROM billing_invoice_member_amounts
            WHERE invoice_id = ? AND user_id = 'u2'""",
            march));
  }

  /**
   * Hybrid, acme on Free (the default), which includes 5 GB of bandwidth (soft): u1 reports 4 GB
   * and u2 3 GB under acme, 7 GB, 2 over × 0.08 = 0.16. Shared as reported, to the millionth
   * of a GB: u1 2 × 4/7 = 1.142857…, u2 2 × 3/7 = 0.857142…, the millionth left to u2's larger
   * remainder: 1.142857 and 0.857143. In money 0.0914… and 0.0685…: floors 0.09 + 0.06 leave a
   * cent, for u2's (0.0086 against 0.0014): 0.09 and 0.07. The Free fee, 0.00, is acme's.
   */
  @Test
  void aCountersOverageIsSharedAmongTheMembersWhoReportedIt() {
    open("hybrid");
    deliver(
        new OrganizationEvent(
            "o1",
            at(MARCH),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", null, null),
            null));
    billing.billing.onUsageReported(billing.context, bandwidth("r1", "u1", "4"));
    billing.billing.onUsageReported(billing.context, bandwidth("r2", "u2", "3"));

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    JsonNode body = invoice(invoiceId("acme", MARCH));
    assertEquals(new BigDecimal("0.16"), body.get("subtotal").decimalValue());
    assertEquals(
        "[{\"user_id\":\"u1\",\"usage\":[{\"line_no\":2,\"quantity\":1.142857,"
            + "\"amount\":0.09}],\"amount\":0.09},"
            + "{\"user_id\":\"u2\",\"usage\":[{\"line_no\":2,\"quantity\":0.857143,"
            + "\"amount\":0.07}],\"amount\":0.07}]",
        body.get("by_member").toString());
    assertEquals(new BigDecimal("0.00"), body.get("organization_amount").decimalValue());
  }

  /**
   * A plan of 20.00 a month that includes 2 seats ({@code kind} soft or hard), seats at 3.10 a
   * period: 0.10 a day of 31-day March.
   */
  private void teamPlan(String billingMode, String kind) {
    billing =
        new BillingHarness(
            at(MARCH),
            """
            {"billingMode": "%s", "meterRates": {"members": 3.10}, "defaultPlan": "team",
             "subscriptionPlans": [{"id": "team", "name": "Team", "price": 20, "interval": "month",
               "limits": {"members": {"limit": 2, "kind": "%s"}}}]}"""
                .formatted(billingMode, kind));
  }

  private static OrganizationEvent membership(
      String id, String at, Type type, String userId, Role role) {
    return new OrganizationEvent(id, at(at), type, "acme", null, new Membership(userId, role));
  }

  /**
   * acme's memberships, delivered newest first: u1 its owner and u2 from March 1; u3 from the
   * 11th; u4 from the 21st to the 26th; u2 made admin on the 15th (no seat change).
   */
  private void acmeMembersShuffled() {
    deliver(membership("m5", "2026-03-26T00:00:00Z", Type.MEMBER_REMOVED, "u4", null));
    deliver(membership("m4", "2026-03-21T00:00:00Z", Type.MEMBER_ADDED, "u4", Role.MEMBER));
    deliver(membership("m6", "2026-03-15T09:30:00Z", Type.MEMBER_ROLE_CHANGED, "u2", Role.ADMIN));
    deliver(membership("m3", "2026-03-11T00:00:00Z", Type.MEMBER_ADDED, "u3", Role.MEMBER));
    deliver(membership("m2", MARCH, Type.MEMBER_ADDED, "u2", Role.MEMBER));
    deliver(
        new OrganizationEvent(
            "m1",
            at(MARCH),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", "USD", null),
            null));
  }

  /**
   * Subscription mode (seats are billed in every mode), 2 seats included: u1 and u2 hold them;
   * u3 the third from the 11th, 21 days (2.10); u4 the fourth from the 21st to the 26th, 5 days
   * (0.50). The line: 26 seat-days of 31 = 0.83871 seat-months × 3.10 = 2.60, each part its
   * holder's; the fee, 20.00, the organization's. Subtotal 22.60.
   */
  @Test
  void seatsBeyondThePlansIncludedAreChargedToTheMembersWhoHoldThem_toTheSecond() {
    teamPlan("subscription", "soft");
    acmeMembersShuffled();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    long march = invoiceId("acme", MARCH);
    assertEquals(
        List.of(
            "plan_fee Team, 2026-03-01 – 2026-04-01 null null null 20 20.00",
            "overage members members 0.83871 seat-months 3.1 2.60"),
        lines(march));
    JsonNode body = invoice(march);
    assertEquals(
        "[{\"user_id\":\"u3\",\"usage\":[{\"line_no\":2,\"quantity\":0.677419,"
            + "\"amount\":2.10}],\"amount\":2.10},"
            + "{\"user_id\":\"u4\",\"usage\":[{\"line_no\":2,\"quantity\":0.16129,"
            + "\"amount\":0.50}],\"amount\":0.50}]",
        body.get("by_member").toString());
    assertEquals(new BigDecimal("20.00"), body.get("organization_amount").decimalValue());
    assertEquals(new BigDecimal("22.60"), body.get("subtotal").decimalValue());
    String pdf = pdfText(march);
    assertTrue(pdf.contains("members"), pdf);
    assertTrue(pdf.contains("u3 2.10 USD\nu4 0.50 USD\nOrganization 20.00 USD"), pdf);
    // the members now: u1, u2, u3 (u4 left), over the 2 included
    JsonNode members =
        billing.call(HttpMethod.GET, "/quota?org_id=acme", admin("root")).body().at("/meters/7");
    assertEquals(
        "{\"meter\":\"members\",\"name\":\"Members\",\"unit\":\"seat\",\"used\":3,"
            + "\"limit\":2,\"percent\":150.00,\"kind\":\"soft\",\"state\":\"exceeded\","
            + "\"resets_at\":null,\"overage_cost\":null}",
        members.toString());
  }

  /** The draft, before finalization, previews the seat line and its holders' parts. */
  @Test
  void aDraftPreviewsItsSeatLineAndWhoHoldsItsSeats() {
    teamPlan("hybrid", "soft");
    acmeMembersShuffled();
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:30:00Z");

    JsonNode draft = invoice(invoiceId("acme", MARCH));

    assertEquals("draft", draft.get("status").asText());
    JsonNode seats = draft.at("/lines/1");
    assertEquals("members", seats.get("resource_type").asText());
    assertEquals("seat-months", seats.get("unit").asText());
    assertEquals(new BigDecimal("2.60"), seats.get("amount").decimalValue());
    assertEquals(new BigDecimal("20.00"), draft.get("organization_amount").decimalValue());
    assertEquals(List.of("u3 0.677419 2.10", "u4 0.16129 0.50"), rowsOf(draft.get("by_member")));
  }

  /**
   * A hard limit of 2 seats the platform went past anyway: the same seats are billed all the
   * same, on a line that says so, and check-quotas sends billing.quota.exceeded for members (3
   * of 2: 150 %), after the warning (at 80 %, a meter found over at once gets both).
   */
  @Test
  void seatsAddedPastAHardLimitAreBilledFlaggedAndAlerted() {
    teamPlan("usage", "hard");
    acmeMembersShuffled();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    assertEquals(
        List.of("overage members over hard limit members 0.83871 seat-months 3.1 2.60"),
        lines(invoiceId("acme", MARCH)));
    billing.runAt("check-quotas", "2026-04-01T02:00:00Z");
    assertEquals(
        List.of(
            "billing.quota.warning {\"user_id\":\"acme\",\"meter\":\"members\",\"used\":3,"
                + "\"limit\":2,\"percent\":150.00,\"kind\":\"hard\","
                + "\"period_start\":\"2026-04-01T00:00:00Z\"}",
            "billing.quota.exceeded {\"user_id\":\"acme\",\"meter\":\"members\",\"used\":3,"
                + "\"limit\":2,\"percent\":150.00,\"kind\":\"hard\","
                + "\"period_start\":\"2026-04-01T00:00:00Z\"}"),
        billing.context.published().stream().filter(e -> e.contains("quota")).toList());
  }

  private static UsageReport bandwidth(String id, String userId, String gb) {
    return new UsageReport(
        id, at("2026-03-10T10:00:00Z"), userId, "bandwidth_gb", new BigDecimal(gb), null, "acme");
  }
}
