package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A team is billed as one account: the sessions its members run under the organization (their
 * events name its org_id) are rated, shown and invoiced on the organization's account, a
 * member's personal sessions on their own. Against real PostgreSQL, with figures worked out by
 * hand. Defaults: usage mode, USD, UTC, invoice day 1; 0.05 per core-hour, 0.01 per GB-hour,
 * 0.10 per GB-month (730 hours).
 */
class TeamOrganizationScenarioTest {

  private static final String MARCH = "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z";

  private BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** A session event naming the organization it runs under (null: the user's personal one). */
  private static SessionEvent event(
      String at, String session, String user, String org, ResourceSize size) {
    return new SessionEvent(UUID.randomUUID().toString(), at(at), session, user, size, org);
  }

  private void created(String at, String session, String user, String org, ResourceSize size) {
    billing.billing.onSessionCreated(billing.context, event(at, session, user, org, size));
  }

  private void terminated(String at, String session, String user, String org) {
    billing.billing.onSessionTerminated(billing.context, event(at, session, user, org, null));
  }

  /**
   * acme: u1 from 10:00 to 12:00 on March 2 (1 core, 2 GB) and u2 from 10:30 to 12:00 (1 core, 2
   * GB), both reporting acme's 10 GB of storage; u1 alone: 09:00 to 10:00 on March 3 (2 cores,
   * 4 GB, no storage).
   */
  private void aTeamAndAPersonalSession() {
    created("2026-03-02T10:00:00Z", "s1", "u1", "acme", size("1", "2", "10"));
    created("2026-03-02T10:30:00Z", "s2", "u2", "acme", size("1", "2", "10"));
    terminated("2026-03-02T12:00:00Z", "s1", "u1", "acme");
    terminated("2026-03-02T12:00:00Z", "s2", "u2", "acme");
    created("2026-03-03T09:00:00Z", "s3", "u1", null, size("2", "4", "0"));
    terminated("2026-03-03T10:00:00Z", "s3", "u1", null);
  }

  @Test
  void calculateUsageRatesTheTeamsSessionsOnTheOrganizationAndAPersonalOneOnItsUser() {
    aTeamAndAPersonalSession();

    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    assertEquals(
        List.of(
            List.of("acme", ""), List.of("acme", "s1"), List.of("acme", "s2"), List.of("u1", "s3")),
        rows(
            "SELECT DISTINCT user_id, session_id FROM billing_usage_records "
                + "ORDER BY user_id, session_id"),
        "storage ('') and both members' sessions on acme, u1's own session on u1");
  }

  @Test
  void theOrganizationsUsageShowsEachMembersCostAddingUpToTheTotal() {
    aTeamAndAPersonalSession();
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    JsonNode body =
        billing.call(HttpMethod.GET, "/usage?user_id=acme&" + MARCH, admin("root")).body();

    // cpu: u1 1 core × 2 h + u2 1 core × 1.5 h = 3.5 core-hours × 0.05 = 0.175 -> 0.18, of
    // which u1's exact 0.10 and u2's 0.075: floors 0.10 + 0.07, the cent left to u2 (0.08);
    // memory: 4 + 3 = 7 GB-hours × 0.01 = 0.07, u1 0.04 and u2 0.03; storage, acme's: 10 GB from
    // 10:00 on March 2 to April 1, 710 h = 9.726027 GB-months × 0.10 = 0.9726… -> 0.97
    assertEquals(new BigDecimal("1.22"), body.get("total_cost").decimalValue());
    assertEquals(2, body.get("by_member").size());
    assertEquals("u1", body.get("by_member").get(0).get("user_id").asText());
    assertEquals(
        new BigDecimal("0.14"), body.get("by_member").get(0).get("total_cost").decimalValue());
    assertEquals("u2", body.get("by_member").get(1).get("user_id").asText());
    assertEquals(
        new BigDecimal("0.11"), body.get("by_member").get(1).get("total_cost").decimalValue());
    assertEquals(new BigDecimal("0.97"), body.get("organization_cost").decimalValue());
  }

  @Test
  void aMemberReadsTheirOwnPartOfTheTeamsUsage_whichIsTheirByMemberCost() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "u1", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "u2", "member", "2026-03-01T00:00:00Z");
    aTeamAndAPersonalSession();
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    JsonNode own =
        billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=u2&" + MARCH, user("u2")).body();
    JsonNode byTheAdmin =
        billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=u2&" + MARCH, user("u1")).body();
    JsonNode team =
        billing.call(HttpMethod.GET, "/usage?org_id=acme&" + MARCH, user("olivia")).body();

    // u2's sessions under acme only, as by_member splits acme's lines (above): cpu 1 core ×
    // 1.5 h, 0.075 exact, its part of the 0.18 line 0.08 (the cent of the larger remainder);
    // memory 2 GB × 1.5 h = 3 GB-hours, 0.03; no storage (acme's): 0.11
    assertEquals("acme", own.get("user_id").asText());
    assertEquals("u2", own.get("member_id").asText());
    assertEquals(
        List.of("cpu 1.5 core-hours 0.08", "memory 3 gb-hours 0.03"), shownLines(own), "lines");
    assertEquals(new BigDecimal("0.11"), own.get("total_cost").decimalValue());
    assertEquals(
        team.get("by_member").get(1).get("total_cost").decimalValue(),
        own.get("total_cost").decimalValue(),
        "u2's by_member cost");
    assertFalse(own.has("by_member"), "no one else's cost");
    assertEquals(own, byTheAdmin, "an admin reads the same");
  }

  /** The lines of a /usage answer as "resource quantity unit cost". */
  private static List<String> shownLines(JsonNode usage) {
    List<String> lines = new ArrayList<>();
    for (JsonNode line : usage.get("lines")) {
      lines.add(
          line.get("resource_type").asText()
              + " "
              + line.get("quantity").decimalValue().toPlainString()
              + " "
              + line.get("unit").asText()
              + " "
              + line.get("total_cost").decimalValue().toPlainString());
    }
    return lines;
  }

  @Test
  void aPersonalAccountsUsageHasNoBreakdownByMember() {
    aTeamAndAPersonalSession();
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    Answer answer = billing.call(HttpMethod.GET, "/usage?" + MARCH, user("u1"));

    // u1's own session only: 2 core-hours (0.10) and 4 GB-hours (0.04)
    assertEquals(200, answer.status());
    assertEquals(new BigDecimal("0.14"), answer.body().get("total_cost").decimalValue());
    assertFalse(answer.body().has("by_member"));
    assertFalse(answer.body().has("organization_cost"));
  }

  @Test
  void theTeamGetsOneInvoiceForBothMembersAndTheMemberOneForTheirOwnSession() {
    aTeamAndAPersonalSession();
    billing.calculateUsageAt("2026-04-01T01:00:00Z");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    // figures as in the usage above; u2 ran nothing of their own, so has no invoice
    assertEquals(
        List.of(
            "usage cpu usage cpu 3.5 core-hours 0.05 0.18",
            "usage memory usage memory 7 gb-hours 0.01 0.07",
            "usage storage usage storage 9.726027 gb-months 0.1 0.97"),
        lines(invoiceId("acme", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-00000# 1.22 0.00 1.22"),
        numberless(invoices("acme")));
    assertEquals(
        List.of(
            "usage cpu usage cpu 2 core-hours 0.05 0.10",
            "usage memory usage memory 4 gb-hours 0.01 0.04"),
        lines(invoiceId("u1", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-00000# 0.14 0.00 0.14"),
        numberless(invoices("u1")));
    assertEquals(List.of(), invoices("u2"));
    // numbered 1 and 2, in whichever order the finalizers reached them (two run at once)
    assertEquals(
        Set.of("INV-2026-000001", "INV-2026-000002"),
        Stream.of("acme", "u1")
            .map(org -> invoices(org).get(0).split(" ")[2])
            .collect(Collectors.toSet()));
  }

  /** An invoice's line of {@code invoices} with the last digit of its number masked. */
  private static List<String> numberless(List<String> invoices) {
    return invoices.stream().map(i -> i.replaceAll("(INV-\\d{4}-\\d{5})\\d", "$1#")).toList();
  }

  @Test
  void aSessionUnderTheOrganizationCountsAgainstItsLimitsNotTheMembersOwn() {
    billing.close();
    // a plan limiting cores only: 2 cores per account
    billing =
        new BillingHarness(
            at("2026-03-10T12:00:00Z"),
            """
            {"subscriptionPlans": [{"id": "free", "name": "Free", "price": 0,
              "interval": "month", "limits": {"cpu_cores": {"limit": 2}}}]}""");
    created("2026-03-10T12:00:00Z", "s1", "u1", "acme", size("1", "1", "0"));
    created("2026-03-10T12:00:00Z", "s2", "u2", "acme", size("1", "1", "0"));

    AdmissionDecision underAcme =
        billing.billing.admit(new AdmissionRequest("u3", null, size("0.5", "1", "0"), "acme"));
    AdmissionDecision personal =
        billing.billing.admit(new AdmissionRequest("u3", null, size("0.5", "1", "0")));
    AdmissionDecision u1Personal =
        billing.billing.admit(new AdmissionRequest("u1", null, size("2", "1", "0")));

    // acme holds u1's core and u2's: 2 + 0.5 is over its 2; u3 and u1 alone hold none
    assertEquals("cpu_cores_limit", underAcme.code());
    assertTrue(personal.allowed());
    assertTrue(u1Personal.allowed(), "u1's sessions under acme are not u1's own");
  }
}
