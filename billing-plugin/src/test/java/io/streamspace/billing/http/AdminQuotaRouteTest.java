package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/quotas} on the default free plan (hard limits of 2 cores, 2 sessions, 5 GB
 * bandwidth, 60 transcoding minutes; 100 AI queries soft) with the alert threshold at 80 %, and a
 * pro plan that leaves bandwidth unlimited. Periods start on the 1st; it is 2026-03-10T12:00Z.
 */
class AdminQuotaRouteTest {

  private static final List<String> USERS = List.of("ann", "bob", "cid", "dan", "eve", "fay");

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @BeforeEach
  void accounts() {
    USERS.forEach(user -> billing.userCreated(user, Map.of()));
    billing.flush();
    Answer moved =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            admin("root"),
            "{\"user_id\":\"eve\",\"plan_id\":\"pro\",\"reason\":\"test\"}");
    assertEquals(200, moved.status());
    report("ann", "bandwidth_gb", "3.95"); // 79 %: ok
    report("ann", "transcoding_minutes", "48"); // 80 %: warning
    report("bob", "transcoding_minutes", "60"); // 100 %: exceeded
    report("bob", "ai_queries", "130"); // over a soft limit, not confirmed: confirmation_required
    report("cid", "bandwidth_gb", "4.9999"); // 99.998 %, shown 100.00: still a warning
    report("dan", "bandwidth_gb", "3.9998"); // 79.996 %, shown 80.00: still ok
    report("eve", "bandwidth_gb", "1000"); // unlimited on pro: never over
    report("fay", "transcoding_minutes", "48"); // 80 %, ties with ann's
    // 2 of 2 sessions open: exceeded; 1.5 of 2 cores (75 %): ok
    billing.created("2026-03-10T11:55:00Z", "s1", "fay", size("1", "1", "0"));
    billing.created("2026-03-10T11:56:00Z", "s2", "fay", size("0.5", "1", "0"));
    billing.flush();
  }

  @Test
  void accountsAtOrOverTheThresholdComeWorstFirst_exceededBeforeWarningThenByUserId() {
    Answer answer = billing.call(HttpMethod.GET, "/admin/quotas", admin("root"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"quotas":[\
        {"user_id":"bob","meter":"ai_queries","used":130,"limit":100,"percent":130.00,\
        "kind":"soft","state":"confirmation_required"},\
        {"user_id":"bob","meter":"transcoding_minutes","used":60,"limit":60,"percent":100.00,\
        "kind":"hard","state":"exceeded"},\
        {"user_id":"fay","meter":"active_sessions","used":2,"limit":2,"percent":100.00,\
        "kind":"hard","state":"exceeded"},\
        {"user_id":"cid","meter":"bandwidth_gb","used":4.9999,"limit":5,"percent":100.00,\
        "kind":"hard","state":"warning"},\
        {"user_id":"ann","meter":"transcoding_minutes","used":48,"limit":60,"percent":80.00,\
        "kind":"hard","state":"warning"},\
        {"user_id":"fay","meter":"transcoding_minutes","used":48,"limit":60,"percent":80.00,\
        "kind":"hard","state":"warning"}],\
        "next_offset":null}""",
        answer.body().toString());
  }

  @Test
  void theStateJudgedInSqlIsQuotaRulesOnTheSameFigures() {
    assertEquals(6, judgedInSqlAsByQuotaRule().size());
  }

  @Test
  void aConfirmedOverageIsExceededInTheListAsInQuota() {
    Answer confirmed =
        billing.call(
            HttpMethod.POST, "/overage/confirm", user("bob"), "{\"meter\":\"ai_queries\"}");
    assertEquals(201, confirmed.status());

    assertEquals(6, judgedInSqlAsByQuotaRule().size());
    assertEquals(
        List.of("bob ai_queries", "bob transcoding_minutes", "fay active_sessions"),
        listed("/admin/quotas?state=exceeded"));
  }

  @Test
  void packsRaiseTheLimitsJudgedInSqlAsInQuota_anUnlimitedMeterStaysUnlimited() {
    for (String buyer : List.of("fay", "cid", "eve")) {
      String pack = buyer.equals("fay") ? "slots-5" : "bandwidth-50";
      String body = "{\"user_id\": \"%s\"}".formatted(buyer);
      assertEquals(
          201,
          billing
              .call(HttpMethod.POST, "/packs/" + pack + "/purchase", admin("root"), body)
              .status());
    }

    assertEquals(
        List.of(
            "ann transcoding_minutes 48 60 80.00 hard warning",
            "bob ai_queries 130 100 130.00 soft confirmation_required",
            "bob transcoding_minutes 60 60 100.00 hard exceeded",
            "fay transcoding_minutes 48 60 80.00 hard warning"),
        List.copyOf(judgedInSqlAsByQuotaRule()));
    JsonNode fay = billing.call(HttpMethod.GET, "/quota?user_id=fay", admin("root")).body();
    assertEquals(7, fay.at("/meters/2/limit").intValue());
    JsonNode eve = billing.call(HttpMethod.GET, "/quota?user_id=eve", admin("root")).body();
    assertEquals("null", eve.at("/meters/4/limit").toString());
  }

  /** The rows of /admin/quotas, checked equal to the meters /quota shows not ok. */
  private Set<String> judgedInSqlAsByQuotaRule() {
    Set<String> byRule = new TreeSet<>();
    for (String user : USERS) {
      JsonNode quota = billing.call(HttpMethod.GET, "/quota?user_id=" + user, admin("root")).body();
      for (JsonNode meter : quota.get("meters")) {
        if (!meter.get("state").asText().equals("ok")) {
          byRule.add(row(user, meter));
        }
      }
    }
    Set<String> bySql = new TreeSet<>();
    for (JsonNode row :
        billing.call(HttpMethod.GET, "/admin/quotas", admin("root")).body().get("quotas")) {
      bySql.add(row(row.get("user_id").asText(), row));
    }

    assertEquals(byRule, bySql);
    return bySql;
  }

  @Test
  void theAlertThresholdIsTheOneInEffectAtTheRequest() {
    billing.context.setConfigJson("{\"alertThreshold\": 90}");
    billing.billing.onConfigChanged(billing.context);

    assertEquals(List.of("cid bandwidth_gb"), listed("/admin/quotas?state=warning"));
  }

  @Test
  void aZeroLimitUsedAtAllIsExceededWithoutAPercent_andComesFirst() {
    billing.context.setConfigJson(
        """
        {"subscriptionPlans": [
          {"id": "free", "name": "Free", "price": 0, "interval": "month",
           "limits": {"ai_queries": {"limit": 0}, "transcoding_minutes": {"limit": 0}}},
          {"id": "pro", "name": "Pro", "price": 10, "interval": "month",
           "limits": {"transcoding_minutes": {"limit": 100}}}]}""");
    billing.billing.onConfigChanged(billing.context);

    Answer answer = billing.call(HttpMethod.GET, "/admin/quotas?limit=2", admin("root"));

    assertEquals(
        """
        {"user_id":"ann","meter":"transcoding_minutes","used":48,"limit":0,"percent":null,\
        "kind":"hard","state":"exceeded"}""",
        answer.body().at("/quotas/0").toString());
    // no percent for any of them: by user id, then in the meters' order
    assertEquals(
        List.of(
            "ann transcoding_minutes",
            "bob transcoding_minutes",
            "bob ai_queries",
            "fay transcoding_minutes"),
        listed("/admin/quotas?limit=100"));
    assertEquals(
        "exceeded",
        billing
            .call(HttpMethod.GET, "/quota?user_id=ann", admin("root"))
            .body()
            .at("/meters/5/state")
            .asText());
  }

  @Test
  void filtersByStateAndByMeter() {
    assertEquals(
        List.of("cid bandwidth_gb", "ann transcoding_minutes", "fay transcoding_minutes"),
        listed("/admin/quotas?state=warning"));
    assertEquals(
        List.of("bob transcoding_minutes", "fay active_sessions"),
        listed("/admin/quotas?state=exceeded"));
    assertEquals(List.of("bob ai_queries"), listed("/admin/quotas?state=confirmation_required"));
    assertEquals(
        List.of("bob transcoding_minutes", "ann transcoding_minutes", "fay transcoding_minutes"),
        listed("/admin/quotas?meter=transcoding_minutes"));
    assertEquals(
        List.of("bob transcoding_minutes"),
        listed("/admin/quotas?meter=transcoding_minutes&state=exceeded"));
  }

  @Test
  void pagesWorstFirst() {
    Answer first = billing.call(HttpMethod.GET, "/admin/quotas?limit=4", admin("root"));
    Answer last = billing.call(HttpMethod.GET, "/admin/quotas?limit=4&offset=4", admin("root"));

    assertEquals(4, first.body().at("/next_offset").asInt());
    assertEquals(
        List.of(
            "bob ai_queries", "bob transcoding_minutes", "fay active_sessions", "cid bandwidth_gb"),
        listed("/admin/quotas?limit=4"));
    assertEquals(
        List.of("ann transcoding_minutes", "fay transcoding_minutes"),
        listed("/admin/quotas?limit=4&offset=4"));
    assertEquals("null", last.body().at("/next_offset").toString());
  }

  @Test
  void onlyAdminsSeeTheList() {
    assertEquals(401, billing.call(HttpMethod.GET, "/admin/quotas", Caller.ANONYMOUS).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/quotas", user("bob")).status());
  }

  @Test
  void anUnknownStateOrMeterOrABadPageIsRefusedNamingTheParameter() {
    for (String[] bad :
        new String[][] {
          {"state=ok", "state"},
          {"state=EXCEEDED", "state"},
          {"meter=cpu", "meter"},
          {"limit=0", "limit"},
          {"offset=-1", "offset"}
        }) {
      Answer answer = billing.call(HttpMethod.GET, "/admin/quotas?" + bad[0], admin("root"));
      assertEquals(400, answer.status(), bad[0]);
      assertEquals(bad[1], answer.errorField(), bad[0]);
    }
  }

  private List<String> listed(String path) {
    Answer answer = billing.call(HttpMethod.GET, path, admin("root"));
    assertEquals(200, answer.status(), path);
    List<String> rows = new ArrayList<>();
    for (JsonNode row : answer.body().get("quotas")) {
      rows.add(row.get("user_id").asText() + " " + row.get("meter").asText());
    }
    return rows;
  }

  private static String row(String user, JsonNode meter) {
    return String.join(
        " ",
        user,
        meter.get("meter").asText(),
        meter.get("used").toString(),
        meter.get("limit").toString(),
        meter.get("percent").toString(),
        meter.get("kind").asText(),
        meter.get("state").asText());
  }

  private int reports;

  private void report(String user, String meter, String quantity) {
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "r" + ++reports,
            at("2026-03-05T00:00:00Z"),
            user,
            meter,
            new BigDecimal(quantity),
            null));
  }
}
