package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /quota} through the registered route, on the default free plan (subscription mode,
 * so its limits are hard except AI queries: 2 cores, 4 GB memory, 2 sessions, 2 GB storage, 5 GB
 * bandwidth, 60 transcoding minutes, 100 AI queries soft at 0.001 USD each beyond). Periods start
 * on the 1st at midnight UTC; it is 2026-03-10T12:00Z.
 */
class QuotaRouteTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void eachMeterIsReadNowAgainstThePlansLimit_withPercentStateAndWhenItResets() {
    billing.userCreated("john", Map.of());
    // ended: counts for nothing now
    billing.created("2026-03-10T09:00:00Z", "s0", "john", size("2", "4", "1"));
    billing.terminated("2026-03-10T10:00:00Z", "s0", "john");
    // timed out (no heartbeat for more than 10 minutes): no longer open
    billing.created("2026-03-10T11:00:00Z", "stale", "john", size("2", "4", "1"));
    // open: 1 + 0.5 cores (75 %), 2 + 1.5 GB memory (87.5 %), 2 sessions (100 %); the storage
    // level is the last one reported, 1.6 GB (80 %)
    billing.created("2026-03-10T11:55:00Z", "s1", "john", size("1", "2", "1.5"));
    billing.created("2026-03-10T11:58:00Z", "s2", "john", size("0.5", "1.5", "1.6"));
    // February's bandwidth is not this period's; March's adds up to 3.95 GB (79 %)
    report("r1", "2026-02-28T23:59:59Z", "john", "bandwidth_gb", "10");
    report("r2", "2026-03-01T00:00:00Z", "john", "bandwidth_gb", "3");
    report("r3", "2026-03-09T00:00:00Z", "john", "bandwidth_gb", "0.95");
    // 60 of 60 minutes (100 %); 130 of 100 AI queries (130 %): 30 over at 0.001 = 0.03 USD
    report("r4", "2026-03-05T00:00:00Z", "john", "transcoding_minutes", "60");
    report("r5", "2026-03-06T00:00:00Z", "john", "ai_queries", "130");
    // john's personal organization has one seat, his own: 1 of the Hobby plan's 5 (20 %)
    billing.flush();

    Answer answer = billing.call(HttpMethod.GET, "/quota", user("john"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"user_id":"john","currency":"USD","period_start":"2026-03-01T00:00:00Z","meters":[\
        {"meter":"cpu_cores","name":"CPU","unit":"core","used":1.5,"limit":2,"percent":75.00,\
        "kind":"hard","state":"ok","resets_at":null,"overage_cost":null},\
        {"meter":"memory_gb","name":"Memory","unit":"GB","used":3.5,"limit":4,"percent":87.50,\
        "kind":"hard","state":"warning","resets_at":null,"overage_cost":null},\
        {"meter":"active_sessions","name":"Active sessions","unit":"session","used":2,"limit":2,"percent":100.00,\
        "kind":"hard","state":"exceeded","resets_at":null,"overage_cost":null},\
        {"meter":"storage_gb","name":"Storage","unit":"GB","used":1.6,"limit":2,"percent":80.00,\
        "kind":"hard","state":"warning","resets_at":null,"overage_cost":null},\
        {"meter":"bandwidth_gb","name":"Bandwidth","unit":"GB","used":3.95,"limit":5,"percent":79.00,\
        "kind":"hard","state":"ok","resets_at":"2026-04-01T00:00:00Z","overage_cost":null},\
        {"meter":"transcoding_minutes","name":"Transcoding","unit":"minute","used":60,"limit":60,\
        "percent":100.00,"kind":"hard","state":"exceeded",\
        "resets_at":"2026-04-01T00:00:00Z","overage_cost":null},\
        {"meter":"ai_queries","name":"AI queries","unit":"query","used":130,"limit":100,"percent":130.00,\
        "kind":"soft","state":"confirmation_required","resets_at":"2026-04-01T00:00:00Z",\
        "overage_cost":0.03},\
        {"meter":"members","name":"Members","unit":"seat","used":1,"limit":5,"percent":20.00,\
        "kind":"hard","state":"ok","resets_at":null,"overage_cost":null}],\
        "over_since":null,"suspends_at":null,"suspended":false}""",
        answer.body().toString());
  }

  @Test
  void aMeterThePlanDoesNotLimitIsUnlimited_andAlwaysOk() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    Answer moved =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            admin("root"),
            "{\"user_id\":\"ann\",\"plan_id\":\"pro\",\"reason\":\"test\"}");
    assertEquals(200, moved.status());
    report("r1", "2026-03-02T00:00:00Z", "ann", "bandwidth_gb", "1000");
    billing.flush();

    Answer answer = billing.call(HttpMethod.GET, "/quota?user_id=ann", admin("root"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"meter":"bandwidth_gb","name":"Bandwidth","unit":"GB","used":1000,"limit":null,"percent":null,\
        "kind":null,"state":"ok","resets_at":"2026-04-01T00:00:00Z","overage_cost":null}""",
        answer.body().at("/meters/4").toString());
  }

  @Test
  void anAdminReadsAnyonesQuota_aUserOnlyTheirOwn() {
    billing.userCreated("john", Map.of());
    billing.userCreated("mary", Map.of());
    billing.flush();

    assertEquals(200, billing.call(HttpMethod.GET, "/quota?user_id=john", admin("root")).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/quota?user_id=john", user("mary")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/quota?user_id=mary", user("mary")).status());
  }

  @Test
  void aUserWithoutABillingAccountHasNoQuota() {
    Answer own = billing.call(HttpMethod.GET, "/quota", user("nobody"));
    Answer named = billing.call(HttpMethod.GET, "/quota?user_id=nobody", admin("root"));

    assertEquals(404, own.status());
    assertEquals("not_found", own.body().at("/error/code").asText());
    assertEquals(404, named.status());
  }

  private void report(String id, String at, String user, String meter, String quantity) {
    billing.billing.onUsageReported(
        billing.context, new UsageReport(id, at(at), user, meter, new BigDecimal(quantity), null));
  }
}
