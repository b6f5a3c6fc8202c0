package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /plans} through the registered route, on real PostgreSQL: the default plans priced
 * in the account's currency (USD and VND), every meter's limit and its words, the current plan
 * marked, which plans are prepaid (Enterprise here), and who may read whose.
 */
class PlanRoutesTest {

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-01T00:00:00Z"),
          BillingHarness.USD_AND_VND_CONFIG.replace(
              "\"prices\": {\"VND\": 2500000}",
              "\"prices\": {\"VND\": 2500000}, \"prepaid\": true"));

  @BeforeEach
  void accounts() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer plans(String query, Caller caller) {
    return billing.call(HttpMethod.GET, "/plans" + query, caller);
  }

  @Test
  void thePlansArePricedInTheAccountsCurrencyWithTheCurrentPlanMarked() {
    Answer usd = plans("", user("ann"));

    assertEquals(200, usd.status());
    assertEquals("ann", usd.body().get("user_id").asText());
    assertEquals("USD", usd.body().get("currency").asText());
    assertEquals("free", usd.body().get("current_plan_id").asText());
    assertEquals("usage", usd.body().get("billing_mode").asText());
    assertEquals(false, usd.body().get("stripe_enabled").asBoolean());
    assertTrue(usd.body().get("locked").isNull());
    assertEquals(3, usd.body().get("plans").size());
    assertEquals(
        """
        {"id":"pro","name":"Professional","price":29.99,"interval":"month","prepaid":false,"limits":[\
        {"meter":"cpu_cores","name":"CPU","unit":"core","limit":8,"kind":"hard"},\
        {"meter":"memory_gb","name":"Memory","unit":"GB","limit":16,"kind":"hard"},\
        {"meter":"active_sessions","name":"Active sessions","unit":"session","limit":null,"kind":null},\
        {"meter":"storage_gb","name":"Storage","unit":"GB","limit":100,"kind":"hard"},\
        {"meter":"bandwidth_gb","name":"Bandwidth","unit":"GB","limit":null,"kind":null},\
        {"meter":"transcoding_minutes","name":"Transcoding","unit":"minute","limit":null,"kind":null},\
        {"meter":"ai_queries","name":"AI queries","unit":"query","limit":null,"kind":null},\
        {"meter":"members","name":"Members","unit":"seat","limit":null,"kind":null}],\
        "features":["8 CPU cores at once","16 GB memory at once","Unlimited sessions at once",\
        "100 GB storage","Unlimited GB bandwidth a period",\
        "Unlimited transcoding minutes a period","Unlimited AI queries a period",\
        "Unlimited members"]}""",
        usd.body().at("/plans/1").toString());
    assertEquals("0.00", usd.body().at("/plans/0/price").toString());
    assertTrue(usd.body().at("/plans/2/prepaid").asBoolean(), "Enterprise is prepaid here");
  }

  @Test
  void aVndAccountSeesThePricesInDongWithoutDecimals() {
    Answer vnd = plans("", user("thu"));

    assertEquals("VND", vnd.body().get("currency").asText());
    assertEquals("0", vnd.body().at("/plans/0/price").toString());
    assertEquals("750000", vnd.body().at("/plans/1/price").toString());
    assertEquals("2500000", vnd.body().at("/plans/2/price").toString());
  }

  @Test
  void theDefaultPlansSayTheirSoftLimitsAreBilledBeyond() {
    try (BillingHarness defaults = new BillingHarness(at("2026-03-01T00:00:00Z"))) {
      defaults.userCreated("ann", Map.of());
      defaults.flush();

      Answer free = defaults.call(HttpMethod.GET, "/plans", user("ann"));

      assertEquals(
          """
          ["2 CPU cores at once","4 GB memory at once","2 sessions at once","2 GB storage",\
          "5 GB bandwidth a period","60 transcoding minutes a period",\
          "100 AI queries a period, overage billed beyond","5 members"]""",
          free.body().at("/plans/0/features").toString());
      // Pro: 5 seats included, each further one billed (the feature spec's "more than 5")
      assertEquals(
          "5 members included, each further seat billed",
          free.body().at("/plans/1/features/7").asText());
      assertEquals("Hobby", free.body().at("/plans/0/name").asText());
      assertEquals("Pro", free.body().at("/plans/1/name").asText());
      assertEquals("Enterprise", free.body().at("/plans/2/name").asText());
      assertEquals(
          "{\"meter\":\"ai_queries\",\"name\":\"AI queries\",\"unit\":\"query\",\"limit\":100,\"kind\":\"soft\"}",
          free.body().at("/plans/0/limits/6").toString());
      assertEquals("99.99", free.body().at("/plans/2/price").toString());
      assertEquals(
          List.of(false, false, false),
          free.body().findValues("prepaid").stream().map(JsonNode::asBoolean).toList(),
          "no default plan is prepaid");
    }
  }

  @Test
  void aLockedAccountIsToldWhyItsPlanCannotChange() {
    TestDatabase.execute(
        "INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)"
            + " VALUES ('ann', 'non_payment', 'Invoice INV-1 is unpaid.', now())");

    assertEquals("Invoice INV-1 is unpaid.", plans("", user("ann")).body().get("locked").asText());
    assertTrue(plans("", user("thu")).body().get("locked").isNull());
  }

  @Test
  void aUserReadsOnlyTheirOwnAndAnAdminAnyones() {
    assertEquals(401, plans("", Caller.ANONYMOUS).status());
    assertEquals(403, plans("?user_id=thu", user("ann")).status());
    Answer forThu = plans("?user_id=thu", admin("root"));
    assertEquals(200, forThu.status());
    assertEquals("thu", forThu.body().get("user_id").asText());
    assertEquals("VND", forThu.body().get("currency").asText());
    assertEquals(404, plans("?user_id=nobody", admin("root")).status());
  }

  @Test
  void aCallerWithoutAnAccountSeesThePlansInTheConfiguredCurrencyAndNoCurrentPlan() {
    Answer newcomer = plans("", user("new"));

    assertEquals(200, newcomer.status());
    assertEquals("USD", newcomer.body().get("currency").asText());
    assertEquals(true, newcomer.body().get("current_plan_id").isNull());
  }
}
