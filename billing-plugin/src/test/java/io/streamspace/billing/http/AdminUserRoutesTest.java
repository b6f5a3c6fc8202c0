package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.credit;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/users}. Periods start on the 5th, so on 2026-03-10 the current period is
 * [2026-03-05, 2026-04-05).
 */
class AdminUserRoutesTest {

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-01T00:00:00Z"),
          BillingHarness.USD_AND_VND_CONFIG.replaceFirst("\\{", "{\"invoiceDay\": 5, "));

  @BeforeEach
  void accounts() {
    for (String user : List.of("ann", "anna", "carl")) {
      billing.userCreated(user, Map.of());
    }
    billing.userCreated("bob", Map.of("currency", "VND"));
    // ann: 1 core for 2 hours in the previous period (0.10, not counted), then the golden
    // example in this one: 2 cores and 4 GB for 10 hours = 1.00 + 0.40
    billing.created("2026-03-02T08:00:00Z", "s0", "ann", size("1", "0", "0"));
    billing.terminated("2026-03-02T10:00:00Z", "s0", "ann");
    billing.created("2026-03-06T08:00:00Z", "s1", "ann", size("2", "4", "0"));
    billing.terminated("2026-03-06T18:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-10T12:00:00Z");
    TestDatabase.execute("UPDATE billing_accounts SET status = 'suspended' WHERE user_id = 'carl'");

    // outstanding: only sent (10.00) and overdue (2.50) count
    invoice(
        "ann",
        "2025-12-05T00:00:00Z",
        "2026-01-05T00:00:00Z",
        "paid",
        "INV-2026-000001",
        "USD",
        "7",
        "0",
        "7",
        "2026-01-19T00:00:00Z",
        "2026-01-10T00:00:00Z");
    invoice(
        "ann",
        "2026-01-05T00:00:00Z",
        "2026-02-05T00:00:00Z",
        "overdue",
        "INV-2026-000002",
        "USD",
        "2.5",
        "0",
        "2.5",
        "2026-02-19T00:00:00Z",
        null);
    invoice(
        "ann",
        "2026-02-05T00:00:00Z",
        "2026-03-05T00:00:00Z",
        "sent",
        "INV-2026-000003",
        "USD",
        "12",
        "2",
        "10",
        "2026-03-19T00:00:00Z",
        null);
    invoice(
        "ann",
        "2026-02-05T00:00:00Z",
        "2026-03-05T00:00:00Z",
        "void",
        "INV-2026-000004",
        "USD",
        "4",
        "0",
        "4",
        "2026-03-19T00:00:00Z",
        null);
    invoice(
        "ann",
        "2026-03-05T00:00:00Z",
        "2026-04-05T00:00:00Z",
        "draft",
        null,
        "USD",
        "3",
        "0",
        "3",
        null,
        null);
    // credit: 5.00 left and unexpired; 3.00 left but expired yesterday; 2.00 used up
    credit("ann", "5", "5", "USD", "2026-02-01T00:00:00Z", null);
    credit("ann", "3", "3", "USD", "2026-02-01T00:00:00Z", "2026-03-09T00:00:00Z");
    credit("ann", "2", "0", "USD", "2026-02-01T00:00:00Z", "2026-12-31T00:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private JsonNode users(String query) {
    BillingHarness.Answer answer =
        billing.call(HttpMethod.GET, "/admin/users" + query, admin("root"));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  private static List<String> ids(JsonNode body) {
    return body.get("users").findValues("user_id").stream().map(JsonNode::asText).toList();
  }

  @Test
  void everyAccountWithItsPlanCurrentCostOutstandingAndCreditBalance() {
    JsonNode body = users("");

    // ann's revenue: her paid 7.00, overdue 2.50 and sent 10.00 (12.00 less 2.00 of credit)
    // invoices, 19.50; not the void 4.00 nor the draft 3.00

    assertEquals("2026-03-05T00:00:00Z", body.get("period_start").asText());
    assertEquals("2026-04-05T00:00:00Z", body.get("period_end").asText());
    assertEquals(List.of("ann", "anna", "bob", "carl"), ids(body));
    assertEquals(
        """
        {"user_id":"ann","email":"ann@example.com","name":null,"personal":true,"members":1,\
        "plan_id":"free","currency":"USD",\
        "current_period_cost":1.40,"outstanding_balance":12.50,"credit_balance":5.00,\
        "status":"active","holds":[],"quota_state":"ok","quota_meters":[],\
        "revenue":[{"currency":"USD","invoiced":19.50}]}""",
        body.at("/users/0").toString());
    assertEquals(
        """
        {"user_id":"bob","email":"bob@example.com","name":null,"personal":true,"members":1,\
        "plan_id":"free","currency":"VND",\
        "current_period_cost":0,"outstanding_balance":0,"credit_balance":0,\
        "status":"active","holds":[],"quota_state":"ok","quota_meters":[],"revenue":[]}""",
        body.at("/users/2").toString());
    assertTrue(body.get("next_offset").isNull());
  }

  @Test
  void aTeamOrganizationShowsItsNameSizePlanAndRevenuePerCurrency_filteredByKind() {
    // acme on Pro in USD, owned by olivia, with adam (admin) and mia (member): 3 members, one
    // removed member not counted. Its paid 29.99 and sent 40.01 invoices are 70.00 of revenue;
    // an invoice of an earlier VND term, paid 750,000, shows in its own currency
    OrgFixtures.opened(billing, "acme", "Acme Inc", "olivia", "USD", "pro", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "zed", "member", "2026-01-01T00:00:00Z");
    OrgFixtures.removed("acme", "zed", "2026-02-01T00:00:00Z");
    invoice(
        "acme",
        "2025-12-05T00:00:00Z",
        "2026-01-05T00:00:00Z",
        "paid",
        "INV-2026-000005",
        "VND",
        "750000",
        "0",
        "750000",
        "2026-01-19T00:00:00Z",
        "2026-01-10T00:00:00Z");
    invoice(
        "acme",
        "2026-01-05T00:00:00Z",
        "2026-02-05T00:00:00Z",
        "paid",
        "INV-2026-000006",
        "USD",
        "29.99",
        "0",
        "29.99",
        "2026-02-19T00:00:00Z",
        "2026-02-10T00:00:00Z");
    invoice(
        "acme",
        "2026-02-05T00:00:00Z",
        "2026-03-05T00:00:00Z",
        "sent",
        "INV-2026-000007",
        "USD",
        "40.01",
        "0",
        "40.01",
        "2026-03-19T00:00:00Z",
        null);

    JsonNode teams = users("?kind=team");

    assertEquals(List.of("acme"), ids(teams));
    JsonNode acme = teams.at("/users/0");
    assertEquals("Acme Inc", acme.get("name").asText());
    assertEquals(false, acme.get("personal").asBoolean());
    assertEquals(3, acme.get("members").asInt());
    assertEquals("pro", acme.get("plan_id").asText());
    assertEquals(
        "[{\"currency\":\"USD\",\"invoiced\":70.00},{\"currency\":\"VND\",\"invoiced\":750000}]",
        acme.get("revenue").toString());
    assertEquals(List.of("ann", "anna", "bob", "carl"), ids(users("?kind=personal")));
    assertEquals(
        "kind",
        billing.call(HttpMethod.GET, "/admin/users?kind=teams", admin("root")).errorField());
  }

  @Test
  void filtersByStatusAndByUserIdPrefixTakenLiterally() {
    assertEquals(List.of("carl"), ids(users("?status=suspended")));
    assertEquals(List.of("ann", "anna"), ids(users("?user_id=ann")));
    assertEquals(List.of("anna"), ids(users("?user_id=anna")));
    assertEquals(List.of(), ids(users("?user_id=a%")), "the route table passes % as is");
    assertEquals(List.of(), ids(users("?user_id=_nn")));
    assertEquals(List.of(), ids(users("?status=active&user_id=carl")));
  }

  @Test
  void pagesByUserId() {
    JsonNode first = users("?limit=3");
    JsonNode second = users("?limit=3&offset=3");

    assertEquals(List.of("ann", "anna", "bob"), ids(first));
    assertEquals(3, first.get("next_offset").asInt());
    assertEquals(List.of("carl"), ids(second));
    assertTrue(second.get("next_offset").isNull());
    assertEquals(
        "limit",
        billing.call(HttpMethod.GET, "/admin/users?limit=500", admin("root")).errorField());
  }

  /** A usage record of the current period, straight in the table: a line of its own. */
  private static void usage(String user, String resource, String unit, String unitSeconds) {
    BillingHarness.value(
        """
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
        VALUES (?, 'x', ?, '2026-03-07T00:00:00Z', '2026-03-07T01:00:00Z', ?, ?, 1, 'USD',
                '2026-03-07T01:00:00Z', 0) RETURNING id""",
        user,
        resource,
        new java.math.BigDecimal(unitSeconds),
        unit);
  }

  @Test
  void sortsByTheCostAsShown_eachLineRoundedBeforeTheyAreAdded() {
    // anna: two lines of 1.004 (3614.4 core- and GB-seconds at 1 an hour), shown 1.00 + 1.00 =
    // 2.00 although 2.008 exactly; carl: one line of 2.005, shown 2.01 (half up). By exact
    // figures anna would come after carl.
    usage("anna", "cpu", "core-hours", "3614.4");
    usage("anna", "memory", "gb-hours", "3614.4");
    usage("carl", "cpu", "core-hours", "7218");

    JsonNode ascending = users("?sort=current_period_cost");
    assertEquals(List.of("bob", "ann", "anna", "carl"), ids(ascending));
    assertEquals(
        List.of("0", "1.40", "2.00", "2.01"),
        ascending.get("users").findValues("current_period_cost").stream()
            .map(JsonNode::toString)
            .toList());
    assertEquals(List.of("carl", "anna", "ann", "bob"), ids(users("?sort=-current_period_cost")));
  }

  @Test
  void sortsByOutstandingAndCreditBalance_tiesByUserIdInEitherDirection() {
    credit("bob", "30000", "30000", "VND", "2026-02-01T00:00:00Z", null);

    assertEquals(List.of("anna", "bob", "carl", "ann"), ids(users("?sort=outstanding_balance")));
    assertEquals(List.of("ann", "anna", "bob", "carl"), ids(users("?sort=-outstanding_balance")));
    assertEquals(List.of("anna", "carl", "ann", "bob"), ids(users("?sort=credit_balance")));
    assertEquals(List.of("bob", "ann", "anna", "carl"), ids(users("?sort=-credit_balance")));
    assertEquals(List.of("carl", "bob", "anna", "ann"), ids(users("?sort=-user_id")));
    JsonNode second = users("?sort=-credit_balance&limit=2&offset=2");
    assertEquals(List.of("anna", "carl"), ids(second));
    assertTrue(second.get("next_offset").isNull());
  }

  @Test
  void eachAccountShowsItsWorstQuotaStateAndItsMetersOverTheThreshold_worstFirst() {
    // the free plan allows 2 cores and 4 GB: anna's 2 cores are 100 %, her 3.2 GB 80 %;
    // carl's 1.6 cores 80 %
    billing.created("2026-03-10T12:00:00Z", "q1", "anna", size("1.5", "1.6", "0"));
    billing.created("2026-03-10T12:00:00Z", "q2", "anna", size("0.5", "1.6", "0"));
    billing.created("2026-03-10T12:00:00Z", "q4", "carl", size("1.6", "0", "0"));
    billing.flush();

    JsonNode body = users("");
    assertEquals(
        List.of("ok", "exceeded", "ok", "warning"),
        body.get("users").findValues("quota_state").stream().map(JsonNode::asText).toList());
    assertEquals(
        """
        [{"meter":"cpu_cores","state":"exceeded","percent":100.00},\
        {"meter":"memory_gb","state":"warning","percent":80.00}]""",
        body.at("/users/1/quota_meters").toString());
    assertEquals(
        """
        [{"meter":"cpu_cores","state":"warning","percent":80.00}]""",
        body.at("/users/3/quota_meters").toString());
    assertEquals(
        List.of("exceeded"),
        users("?user_id=anna&limit=1").get("users").findValues("quota_state").stream()
            .map(JsonNode::asText)
            .toList(),
        "a page judges its own accounts as the whole list does");
  }

  @Test
  void filtersByQuotaStateAsTheQuotaListJudgesIt() {
    // the free plan allows 2 cores: anna's 2 are exceeded, carl's 1.6 (80 %) a warning
    billing.created("2026-03-10T12:00:00Z", "q1", "anna", size("2", "0", "0"));
    billing.created("2026-03-10T12:00:00Z", "q2", "carl", size("1.6", "0", "0"));
    billing.flush();

    assertEquals(List.of("anna"), ids(users("?quota_state=exceeded")));
    assertEquals(List.of("carl"), ids(users("?quota_state=warning")));
    assertEquals(List.of(), ids(users("?quota_state=confirmation_required")));
    assertEquals(List.of(), ids(users("?quota_state=warning&status=active")));
  }

  @Test
  void anUnknownSortOrQuotaStateIsABadParameterNamed() {
    for (String query :
        List.of("sort=email", "sort=--user_id", "sort=cost", "quota_state=ok", "quota_state=OK")) {
      BillingHarness.Answer answer =
          billing.call(HttpMethod.GET, "/admin/users?" + query, admin("root"));
      assertEquals(400, answer.status(), query);
      assertEquals(query.substring(0, query.indexOf('=')), answer.errorField(), query);
    }
  }

  /**
   * Every account opened on 2025-12-01 but anna, opened on 2026-03-02 at 10:00. ann's usage
   * starts in the slices of 2026-03-02 08:00-10:00 and 2026-03-06 08:00-18:00; her invoices were
   * paid on 2026-01-10 (INV-1) and finalized an hour after their periods (2026-02-05 01:00 for
   * INV-2); bob's invoice of 0 VND was finalized then too; carl reported an AI query on
   * 2026-02-20 (a counted meter: no usage record).
   */
  @Test
  void aDateRangeKeepsTheAccountsOpenedOrActiveInIt_byUsageCountedReportsOrInvoicesOfMoney() {
    TestDatabase.execute("UPDATE billing_accounts SET created_at = '2025-12-01T00:00:00Z'");
    TestDatabase.execute(
        "UPDATE billing_accounts SET created_at = '2026-03-02T10:00:00Z' WHERE user_id = 'anna'");
    invoice(
        "bob",
        "2026-01-05T00:00:00Z",
        "2026-02-05T00:00:00Z",
        "paid",
        "INV-2026-000008",
        "VND",
        "0",
        "0",
        "0",
        "2026-02-19T00:00:00Z",
        "2026-02-05T01:00:00Z");
    TestDatabase.execute(
        """
        INSERT INTO billing_usage_reports (event_id, user_id, org_id, meter, quantity, occurred_at)
        VALUES ('e-carl-1', 'carl', 'carl', 'ai_queries', 1, '2026-02-20T09:00:00Z')""");

    assertEquals(List.of("ann", "anna"), ids(users("?from=2026-03-01&to=2026-03-03")));
    assertEquals(List.of("ann"), ids(users("?from=2026-03-01&to=2026-03-02T10:00:00Z")));
    assertEquals(List.of("ann"), ids(users("?from=2026-03-06T17:00:00Z")));
    assertEquals(List.of(), ids(users("?from=2026-03-06T18:00:00Z")));
    assertEquals(List.of("ann"), ids(users("?from=2026-01-10&to=2026-01-11")));
    assertEquals(List.of("ann"), ids(users("?from=2026-02-05&to=2026-02-06")));
    assertEquals(List.of("carl"), ids(users("?from=2026-02-15&to=2026-02-25&kind=personal")));
    assertEquals(List.of("ann", "bob", "carl"), ids(users("?to=2025-12-01T00:00:01Z")));
    assertEquals(List.of(), ids(users("?to=2025-12-01")));
  }

  @Test
  void aBadFromOrToIsABadParameterNamed_andToMustBeAfterFrom() {
    Map<String, String> named =
        Map.of(
            "from=yesterday", "from",
            "to=2026-13-01", "to",
            "from=0001-01-01", "from",
            "from=2026-03-03&to=2026-03-03", "to");
    named.forEach(
        (query, field) -> {
          BillingHarness.Answer answer =
              billing.call(HttpMethod.GET, "/admin/users?" + query, admin("root"));
          assertEquals(400, answer.status(), query);
          assertEquals(field, answer.errorField(), query);
        });
  }

  @Test
  void onlyAdminsSeeTheOverview() {
    assertEquals(401, billing.call(HttpMethod.GET, "/admin/users", Caller.ANONYMOUS).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/users", user("ann")).status());
  }
}
