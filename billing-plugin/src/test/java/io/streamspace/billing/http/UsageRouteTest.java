package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /usage} through the registered route handler. */
class UsageRouteTest {

  private BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** The seed README's pricing example. */
  @Test
  void goldenExampleTwoCoresAndFourGbForTenHoursCostOneDollarForty() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-02T08:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.terminated("2026-03-02T18:00:00Z", "s1", "john");
    billing.calculateUsageAt("2026-03-02T19:00:00Z");

    Answer answer = billing.call(HttpMethod.GET, "/usage", user("john"));

    assertEquals(200, answer.status());
    assertEquals("""
        {"user_id":"john","period_start":"2026-03-01T00:00:00Z",\
        "period_end":"2026-04-01T00:00:00Z","currency":"USD","lines":[\
        {"resource_type":"cpu","quantity":20,"unit":"core-hours","unit_price":0.05,\
        "total_cost":1.00},\
        {"resource_type":"memory","quantity":40,"unit":"gb-hours","unit_price":0.01,\
        "total_cost":0.40}],"total_cost":1.40}""", answer.body().toString());
  }

  @Test
  void linesAreRoundedHalfUpToTheCurrencyAndTheTotalAddsTheRoundedLines() {
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.context.setConfigJson("{\"computeRates\": {\"cpu_per_core_hour\": 1250.5,"
        + " \"memory_per_gb_hour\": 0.3}}");
    billing.billing.onConfigChanged(billing.context);
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "5", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s1", "thu");
    billing.calculateUsageAt("2026-03-02T10:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage", user("thu")).body();

    assertEquals("VND", body.get("currency").asText());
    assertEquals("1251", body.at("/lines/0/total_cost").toString(), "1250.5 rounds half up");
    assertEquals("2", body.at("/lines/1/total_cost").toString(), "1.5 rounds half up");
    assertEquals("1253", body.get("total_cost").toString());
  }

  @Test
  void fromAndToSelectSlicesByStartAndAcceptDatesInTheBillingZone() {
    billing.created("2026-02-28T22:00:00Z", "s1", "ann", size("1", "0", "0"));
    billing.terminated("2026-03-01T02:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-01T03:00:00Z");

    JsonNode march = billing.call(HttpMethod.GET, "/usage", user("ann")).body();
    JsonNode lastHour = billing.call(HttpMethod.GET,
        "/usage?from=2026-03-01T01:00:00Z&to=2026-03-02", user("ann")).body();
    JsonNode february = billing.call(HttpMethod.GET,
        "/usage?from=2026-02-01&to=2026-03-01", user("ann")).body();

    assertEquals("2", march.at("/lines/0/quantity").toString());
    assertEquals("1", lastHour.at("/lines/0/quantity").toString());
    assertEquals("2026-02-01T00:00:00Z", february.get("period_start").asText());
    assertEquals("2", february.at("/lines/0/quantity").toString());
  }

  @Test
  void aCallerWithoutAnAccountHasNoUsage() {
    Answer answer = billing.call(HttpMethod.GET, "/usage", user("newbie"));

    assertEquals(200, answer.status());
    assertEquals(0, answer.body().get("lines").size());
    assertEquals("0.00", answer.body().get("total_cost").toString());
  }

  @Test
  void anonymousCallersAreRefused() {
    Answer answer = billing.call(HttpMethod.GET, "/usage", Caller.ANONYMOUS);

    assertEquals(401, answer.status());
    assertEquals("unauthorized", answer.body().at("/error/code").asText());
  }

  @Test
  void aUserMayNotReadAnotherUsersUsage() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    assertEquals(403, billing.call(HttpMethod.GET, "/usage?user_id=bob", user("eve")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/usage?user_id=eve", user("eve")).status());
  }

  @Test
  void anAdminMayReadAnyUsersUsageButNotAnUnknownUsers() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    Answer bob = billing.call(HttpMethod.GET, "/usage?user_id=bob", admin("root"));
    Answer ghost = billing.call(HttpMethod.GET, "/usage?user_id=ghost", admin("root"));

    assertEquals(200, bob.status());
    assertEquals("bob", bob.body().get("user_id").asText());
    assertEquals(404, ghost.status());
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
      "from=yesterday, from",
      "to=2026-13-01, to",
      "from=2026-03-01T00:00:00, from",
      "from=2026-03-05&to=2026-03-05, from",
      "from=2026-03-06&to=2026-03-05, from",
  })
  void badRangesAreRefusedNamingTheField(String query, String field) {
    Answer answer = billing.call(HttpMethod.GET, "/usage?" + query, user("ann"));

    assertEquals(400, answer.status());
    assertEquals(field, answer.errorField());
    assertEquals("invalid_parameter", answer.body().at("/error/code").asText());
  }
}
