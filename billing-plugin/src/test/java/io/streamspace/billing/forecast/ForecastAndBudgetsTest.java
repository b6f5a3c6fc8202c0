package io.streamspace.billing.forecast;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /forecast}, {@code /budgets} and check-budgets on real PostgreSQL, by hand. Acme (owner
 * olivia, admin adam, members mia and dan; free plan, usage mode, USD), opened on 1 February 2026.
 * Mia's usage costs 1.00 a day (20 core-hours at 0.05, one record a day) from 10 February, so on
 * 10 March at noon the history is the 28 days from 10 February to 9 March, all 1.00, and the
 * period (March) cost 10.00 so far (1 to 10 March). The 21.5 days left add 21.50: 31.50 at p10,
 * p50 and p90 alike. On that path 20.00 is reached after 10 days (20 March, noon), 25.00 after
 * 15 (25 March, noon); mia's own path, from her 10.00, reaches 12.00 on 12 March at noon.
 */
class ForecastAndBudgetsTest {

  private static final String NOW = "2026-03-10T12:00:00Z";
  private static final String FORECAST = "/forecast?org_id=acme";
  private static final String BUDGETS = "/budgets";
  private static final String CHECK_BUDGETS = "check-budgets";
  private static final String EXCEEDED = "billing.budget.forecast_exceeded ";

  private final BillingHarness billing = new BillingHarness(at(NOW));

  @BeforeEach
  void acme() {
    OrgFixtures.created("acme", "olivia", "2026-02-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-02-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-02-01T00:00:00Z");
    OrgFixtures.added("acme", "dan", "member", "2026-02-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s0",
        "mia",
        "2026-02-01T00:00:00Z",
        "2026-02-01T00:00:01Z",
        size("1", "1", "0"));
    billing.flush();
    TestDatabase.execute(
        """
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
        SELECT 'acme', 's0', 'cpu', d, d + interval '1 hour', 72000, 'core-hours', 0.05, 'USD',
               d + interval '1 hour', 0
        FROM generate_series(timestamptz '2026-02-10T00:00:00Z',
                             timestamptz '2026-03-10T00:00:00Z', interval '1 day') d""");
  }

  @AfterEach
  void close() {
    billing.close();
  }

  private Answer put(String caller, String body) {
    return billing.call(HttpMethod.PUT, BUDGETS, user(caller), body);
  }

  private Answer budgetOf(String caller, String members) {
    Answer answer = put(caller, "{\"org_id\": \"acme\", " + members + "}");
    assertEquals(200, answer.status(), answer.body().toString());
    return answer;
  }

  /** Acme's limit of 20.00, its budget of 25.00, mia's of 12.00 and dan's of 5.00. */
  private void limitAndBudgets() {
    Answer limit =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            user("olivia"),
            "{\"org_id\": \"acme\", \"amount\": 20, \"action\": \"warn\"}");
    assertEquals(200, limit.status(), limit.body().toString());
    budgetOf("olivia", "\"amount\": 25, \"period\": \"month\"");
    budgetOf("adam", "\"member_id\": \"mia\", \"amount\": 12.00, \"period\": \"month\"");
    budgetOf("adam", "\"member_id\": \"dan\", \"amount\": 5, \"period\": \"month\"");
  }

  @Test
  void theForecastAddsTheDaysLeftAtTheProfileAndSaysWhenEachLimitIsCrossed() {
    limitAndBudgets();
    // a prepaid balance of 15.00 pays the period's cost: the path reaches it 5 days on
    Answer granted =
        billing.call(
            HttpMethod.POST,
            "/admin/balance",
            admin("root"),
            "{\"org_id\":\"acme\",\"amount\":15,\"currency\":\"USD\",\"reason\":\"prepaid\"}");
    assertEquals(201, granted.status(), granted.body().toString());

    Answer forecast = billing.call(HttpMethod.GET, FORECAST, user("adam"));

    assertEquals(200, forecast.status(), forecast.body().toString());
    JsonNode body = forecast.body();
    assertEquals("31.50 31.50 31.50", figures(body, "p10", "p50", "p90"));
    assertEquals(
        List.of(
            "member_budget:mia 12.00 2026-03-12T12:00:00Z",
            "prepaid_balance 15.00 2026-03-15T12:00:00Z",
            "spending_limit 20.00 2026-03-20T12:00:00Z",
            "budget 25.00 2026-03-25T12:00:00Z"),
        crosses(body),
        "dan spends nothing: his budget is never crossed");
    JsonNode inputs = body.get("inputs");
    assertEquals("10.00 0.00", figures(inputs, "spent", "unrated"));
    assertEquals("10.00 10.00", figures(inputs.get("estimate"), "usage", "total"));
    assertEquals(
        "{\"from\":\"2026-02-10\",\"to\":\"2026-03-09\",\"days\":28}",
        inputs.get("history").toString());
    assertEquals("1.00", inputs.at("/profile/tuesday").decimalValue().toPlainString());
    assertEquals("0", inputs.at("/running_sessions/count").asText());
    assertEquals("usage", inputs.get("billing_mode").asText());
  }

  @Test
  void whatIsLeftOfEachMembersBudgetIsItLessTheirOwnSpendSoFar() throws Exception {
    limitAndBudgets();
    Forecasts forecasts =
        new Forecasts(
            TestDatabase.dataSource(),
            null, // the members' figures do not read the estimate
            new Budgets(TestDatabase.dataSource()),
            Forecasts.MoreLimits.NONE,
            BillingConfig::defaults,
            billing.clock);
    Account acme = new AccountRepository(TestDatabase.dataSource()).find("acme").orElseThrow();

    assertEquals(
        List.of("dan 5.00 0.00 5.00", "mia 12.00 10.00 2.00"),
        forecasts.membersLeft(acme.orgId(), acme.currency()).stream()
            .map(
                m ->
                    m.memberId()
                        + " "
                        + cents(m.budget())
                        + " "
                        + cents(m.spent())
                        + " "
                        + cents(m.left()))
            .toList());
  }

  @Test
  void aRunningSessionsCostSinceItWasLastRatedStartsThePath_toThePeriodsEndIsAnUpperView() {
    // mia's s1, 2 cores and 4 GB from 10:00, not rated yet: 0.14 an hour, 0.28 by noon
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            "c1", at("2026-03-10T10:00:00Z"), "s1", "mia", size("2", "4", "0"), "acme"));
    billing.billing.onSessionHeartbeat(
        billing.context, new SessionEvent("h1", at(NOW), "s1", "mia", size("2", "4", "0"), "acme"));
    billing.flush();

    JsonNode body = billing.call(HttpMethod.GET, FORECAST, user("olivia")).body();

    assertEquals("31.78", figures(body, "p50"), "10.28 spent, 21.50 more");
    assertEquals("10.28 0.28", figures(body.get("inputs"), "spent", "unrated"));
    // 516 hours to 1 April at 0.14
    assertEquals(
        "{\"count\":1,\"cost_per_hour\":0.14,\"to_period_end\":72.24}",
        body.at("/inputs/running_sessions").toString());
  }

  @Test
  void inHybridModeTheDaysAheadAreDrawnFromEachDaysOverage_measuredHourByHour() {
    // the free plan includes 2 cores: each day's hour of 20 cores is 18 core-hours over, 0.90
    billing.context.setConfigJson("{\"billingMode\": \"hybrid\"}");
    billing.billing.onConfigChanged(billing.context);

    JsonNode body = billing.call(HttpMethod.GET, FORECAST, user("olivia")).body();

    assertEquals("hybrid", body.at("/inputs/billing_mode").asText());
    assertEquals("9.00", figures(body.at("/inputs/estimate"), "overage"));
    assertEquals("28.35", figures(body, "p50"), "9.00 so far, 21.5 days of 0.90");
    assertEquals("0.90", body.at("/inputs/profile/friday").decimalValue().toPlainString());
  }

  @Test
  void checkBudgetsTellsEachCrossedBudgetOncePerPeriod_acrossRuns() {
    limitAndBudgets();

    billing.runAt(CHECK_BUDGETS, NOW);
    billing.runAt(CHECK_BUDGETS, "2026-03-10T13:30:00Z");

    List<String> told = exceeded();
    assertEquals(2, told.size(), told.toString());
    assertEquals(
        "{\"org_id\":\"acme\",\"member_id\":null,\"currency\":\"USD\",\"budget\":25.00,"
            + "\"period\":\"month\",\"period_start\":\"2026-03-01T00:00:00Z\","
            + "\"period_end\":\"2026-04-01T00:00:00Z\",\"spent\":10.00,\"p10\":31.50,"
            + "\"p50\":31.50,\"p90\":31.50,\"crosses_at\":\"2026-03-25T12:00:00Z\"}",
        told.get(0));
    assertEquals(
        "mia 12.00 10.00 2026-03-12T12:00:00Z",
        member(told.get(1)),
        "mia's own path, from her own 10.00");
    // another amount is another budget: told again, once
    budgetOf("olivia", "\"amount\": 30, \"period\": \"month\"");
    billing.runAt(CHECK_BUDGETS, "2026-03-10T14:30:00Z");
    billing.runAt(CHECK_BUDGETS, "2026-03-10T15:30:00Z");
    assertEquals(3, exceeded().size(), exceeded().toString());
  }

  @Test
  void anAdminSetsAMembersBudget_onlyTheOwnerTheOrganizations_aMemberReadsOnlyTheirOwn() {
    budgetOf("adam", "\"member_id\": \"mia\", \"amount\": 12, \"period\": \"month\"");

    Answer refused = put("adam", "{\"org_id\": \"acme\", \"amount\": 25, \"period\": \"month\"}");
    assertEquals(403, refused.status());
    assertEquals("owner_required", refused.body().at("/error/code").asText());
    Answer byRoot =
        billing.call(
            HttpMethod.PUT,
            BUDGETS,
            admin("root"),
            "{\"org_id\": \"acme\", \"amount\": 25, \"period\": \"month\", \"reason\": \"asked\"}");
    assertEquals(200, byRoot.status(), byRoot.body().toString());

    assertEquals(
        List.of("null 25.00 root", "mia 12.00 adam"),
        listed(billing.call(HttpMethod.GET, BUDGETS + "?org_id=acme", user("olivia"))));
    assertEquals(
        List.of("mia 12.00 adam"),
        listed(billing.call(HttpMethod.GET, BUDGETS + "?org_id=acme", user("mia"))));
    assertEquals(
        List.of(), listed(billing.call(HttpMethod.GET, BUDGETS + "?org_id=acme", user("dan"))));
    Answer memberForecast = billing.call(HttpMethod.GET, FORECAST, user("mia"));
    assertEquals("admin_required", memberForecast.body().at("/error/code").asText());
    assertEquals(
        List.of("budget.set user adam null", "budget.set admin root asked"),
        rows(
                """
                SELECT kind, actor_type, actor_id, coalesce(reason, 'null')
                FROM billing_audit_entries WHERE kind LIKE 'budget.%' ORDER BY id""")
            .stream()
            .map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2) + " " + r.get(3))
            .toList());
  }

  @Test
  void theSameBudgetAgainChangesNothing_aRemovedOneIsGoneWithItsEntry() {
    Answer first =
        budgetOf("adam", "\"member_id\": \"mia\", \"amount\": 12, \"period\": \"month\"");
    Map<String, String> stored = BillingHarness.tableContents();
    billing.clock.advance(java.time.Duration.ofMinutes(5));

    Answer again =
        budgetOf("olivia", "\"member_id\": \"mia\", \"amount\": 12.0, \"period\": \"month\"");

    assertEquals(first.body(), again.body(), "the first's set_by and set_at");
    assertEquals(stored, BillingHarness.tableContents(), "no row, no second entry");
    Answer removed =
        billing.call(HttpMethod.DELETE, BUDGETS + "?org_id=acme&member_id=mia", user("adam"));
    assertEquals(
        "{\"org_id\":\"acme\",\"member_id\":\"mia\",\"removed\":true}", removed.body().toString());
    Answer none =
        billing.call(HttpMethod.DELETE, BUDGETS + "?org_id=acme&member_id=mia", user("adam"));
    assertEquals("false", none.body().get("removed").asText());
    assertEquals(
        List.of("budget.set", "budget.removed"),
        rows("SELECT kind FROM billing_audit_entries WHERE kind LIKE 'budget.%' ORDER BY id")
            .stream()
            .map(r -> r.get(0).toString())
            .toList());
  }

  @Test
  void aBadBudgetIsRefusedNamingTheFieldWithNothingStored() {
    Map<String, String> before = BillingHarness.tableContents();
    String[][] cases = {
      {"\"amount\": 0, \"period\": \"month\"", "amount"},
      {"\"amount\": \"12\", \"period\": \"month\"", "amount"},
      {"\"amount\": 12.001, \"period\": \"month\"", "amount"},
      {"\"amount\": 12, \"period\": \"week\"", "period"},
      {"\"amount\": 12", "period"},
      {"\"member_id\": \"nobody\", \"amount\": 12, \"period\": \"month\"", "member_id"},
      {"\"member_id\": 7, \"amount\": 12, \"period\": \"month\"", "member_id"},
    };
    for (String[] bad : cases) {
      Answer answer = put("olivia", "{\"org_id\": \"acme\", " + bad[0] + "}");

      assertEquals(400, answer.status(), bad[0] + ": " + answer.body());
      assertEquals(bad[1], answer.errorField(), bad[0] + ": " + answer.body());
    }
    assertEquals(before, BillingHarness.tableContents(), "nothing stored");
  }

  @Test
  void aClosedOrganizationsBudgetsNoLongerChange() {
    rows(
        "UPDATE billing_accounts SET closed_at = ? WHERE user_id = 'acme' RETURNING 1",
        java.sql.Timestamp.from(at(NOW)));

    Answer refused = put("olivia", "{\"org_id\": \"acme\", \"amount\": 25, \"period\": \"month\"}");

    assertEquals(409, refused.status(), refused.body().toString());
    assertEquals("organization_closed", refused.body().at("/error/code").asText());
  }

  private List<String> exceeded() {
    List<String> told = new ArrayList<>();
    for (String event : billing.context.published()) {
      if (event.startsWith(EXCEEDED)) {
        told.add(event.substring(EXCEEDED.length()));
      }
    }
    return told;
  }

  private static String member(String payload) {
    JsonNode alert = read(payload);
    return alert.get("member_id").asText()
        + " "
        + figures(alert, "budget", "spent")
        + " "
        + alert.get("crosses_at").asText();
  }

  private static List<String> crosses(JsonNode forecast) {
    List<String> crosses = new ArrayList<>();
    forecast
        .get("crosses")
        .forEach(
            c ->
                crosses.add(
                    c.get("what").asText()
                        + " "
                        + c.get("amount").decimalValue().toPlainString()
                        + " "
                        + c.get("at").asText()));
    return crosses;
  }

  private static List<String> listed(Answer answer) {
    assertEquals(200, answer.status(), answer.body().toString());
    List<String> listed = new ArrayList<>();
    answer
        .body()
        .get("budgets")
        .forEach(
            b ->
                listed.add(
                    b.get("member_id").asText()
                        + " "
                        + b.get("amount").decimalValue().toPlainString()
                        + " "
                        + b.get("set_by").asText()));
    return listed;
  }

  private static String figures(JsonNode node, String... names) {
    List<String> figures = new ArrayList<>();
    for (String name : names) {
      figures.add(node.get(name).decimalValue().toPlainString());
    }
    return String.join(" ", figures);
  }

  private static String cents(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }

  private static JsonNode read(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(
              com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
          .readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
