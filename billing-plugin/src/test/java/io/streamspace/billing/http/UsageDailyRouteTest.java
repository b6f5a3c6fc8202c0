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
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /usage/daily} through the registered route handler. */
class UsageDailyRouteTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * At the default rates (0.05 a core-hour, 0.01 a GB-hour): on March 8, 2 cores and 4 GB for
   * 3 h are 6 core-hours (0.30) and 12 GB-hours (0.12); on March 9, 1 core for 1 h is 1
   * core-hour (0.05); March 10, today, has nothing yet and is listed all the same.
   */
  @Test
  void eachDayListsItsQuantityAndCostPerResourceAndADayWithoutUsageIsThereEmpty() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-08T09:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.terminated("2026-03-08T12:00:00Z", "s1", "john");
    billing.created("2026-03-09T10:00:00Z", "s2", "john", size("1", "0", "0"));
    billing.terminated("2026-03-09T11:00:00Z", "s2", "john");
    billing.calculateUsageAt("2026-03-10T12:00:00Z");

    Answer answer = billing.call(HttpMethod.GET, "/usage/daily?days=3", user("john"));

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(
        """
        {"user_id":"john","currency":"USD","days":[\
        {"date":"2026-03-08","resources":[\
        {"resource_type":"cpu","quantity":6,"unit":"core-hours","cost":0.30},\
        {"resource_type":"memory","quantity":12,"unit":"gb-hours","cost":0.12}]},\
        {"date":"2026-03-09","resources":[\
        {"resource_type":"cpu","quantity":1,"unit":"core-hours","cost":0.05}]},\
        {"date":"2026-03-10","resources":[]}]}""",
        answer.body().toString());
  }

  /**
   * A day's cost is /usage's for that day: one line per unit price, each rounded once, added.
   * 1 core 08:00-09:00 rated at 0.05, then at 0.125 for 10:00-10:20: the lines are 1 core-hour
   * (0.05) and 0.333333 core-hours (1,200 core-seconds x 0.125 / 3,600 = 0.041666…, 0.04): the
   * day shows 1.333333 core-hours costing 0.09, as /usage's total for the day.
   */
  @Test
  void aDayOfTwoUnitPricesAddsTheirLinesEachRoundedOnceAsUsageDoes() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-08T08:00:00Z", "s1", "john", size("1", "0", "0"));
    billing.terminated("2026-03-08T09:00:00Z", "s1", "john");
    billing.calculateUsageAt("2026-03-08T09:30:00Z");
    billing.context.setConfigJson("{\"computeRates\": {\"cpu_per_core_hour\": 0.125}}");
    billing.billing.onConfigChanged(billing.context);
    billing.created("2026-03-08T10:00:00Z", "s2", "john", size("1", "0", "0"));
    billing.terminated("2026-03-08T10:20:00Z", "s2", "john");
    billing.calculateUsageAt("2026-03-08T12:00:00Z");

    JsonNode day = billing.call(HttpMethod.GET, "/usage/daily?days=1", user("john")).body();
    JsonNode usage =
        billing.call(HttpMethod.GET, "/usage?from=2026-03-08&to=2026-03-09", user("john")).body();

    assertEquals(2, usage.get("lines").size(), "two unit prices: " + usage);
    assertEquals(
        """
        [{"date":"2026-03-08","resources":[\
        {"resource_type":"cpu","quantity":1.333333,"unit":"core-hours","cost":0.09}]}]""",
        day.get("days").toString());
    assertEquals(usage.get("total_cost"), day.at("/days/0/resources/0/cost"));
  }

  /**
   * VND has no decimals: 1 core for 20 minutes at 1,250 a core-hour is 1,200 core-seconds x
   * 1,250 / 3,600 = 416.66…, 417; 2 GB for 20 minutes at 250 a GB-hour is 166.66…, 167.
   */
  @Test
  void aVndAccountsDailyCostsHaveNoDecimals() {
    billing.context.setConfigJson(BillingHarness.USD_AND_VND_CONFIG);
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "2", "0"));
    billing.terminated("2026-03-02T08:20:00Z", "s1", "thu");
    billing.calculateUsageAt("2026-03-02T10:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage/daily?days=1", user("thu")).body();

    assertEquals("VND", body.get("currency").asText());
    assertEquals(
        """
        [{"date":"2026-03-02","resources":[\
        {"resource_type":"cpu","quantity":0.333333,"unit":"core-hours","cost":417},\
        {"resource_type":"memory","quantity":0.666667,"unit":"gb-hours","cost":167}]}]""",
        body.get("days").toString());
  }

  /**
   * Days run midnight to midnight in the billing zone. In Asia/Kolkata (+05:30) March 15 starts
   * at 2026-03-14T18:30Z, where slices are cut: 1 core from 17:00Z to 20:00Z is 1.5 core-hours
   * on March 14 there and 1.5 on March 15 (each 0.075, 0.08 half up), though all of it is on
   * March 14 in UTC. Today is March 15 in Kolkata at 2026-03-15T00:00Z.
   */
  @Test
  void daysAreCutAtMidnightInTheBillingZone() {
    billing.context.setConfigJson("{\"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("ann", Map.of());
    billing.created("2026-03-14T17:00:00Z", "s1", "ann", size("1", "0", "0"));
    billing.terminated("2026-03-14T20:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-15T00:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage/daily?days=2", user("ann")).body();

    assertEquals(
        """
        [{"date":"2026-03-14","resources":[\
        {"resource_type":"cpu","quantity":1.5,"unit":"core-hours","cost":0.08}]},\
        {"date":"2026-03-15","resources":[\
        {"resource_type":"cpu","quantity":1.5,"unit":"core-hours","cost":0.08}]}]""",
        body.get("days").toString());
  }

  /**
   * A day is midnight to midnight even when DST shortens it: in New York, March 8, 2026 runs
   * from 05:00Z to 04:00Z the next day, 23 hours. 1 core from 2026-03-08T03:00Z to
   * 2026-03-09T06:00Z is 2 core-hours on March 7 there (0.10), 23 on March 8 (1.15) and 2 on
   * March 9 (0.10).
   */
  @Test
  void aDayShortenedByDstHasItsTwentyThreeHours() {
    billing.context.setConfigJson("{\"billingTimeZone\": \"America/New_York\"}");
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("ann", Map.of());
    billing.created("2026-03-08T03:00:00Z", "s1", "ann", size("1", "0", "0"));
    billing.terminated("2026-03-09T06:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-09T12:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage/daily?days=3", user("ann")).body();

    assertEquals(
        """
        [{"date":"2026-03-07","resources":[\
        {"resource_type":"cpu","quantity":2,"unit":"core-hours","cost":0.10}]},\
        {"date":"2026-03-08","resources":[\
        {"resource_type":"cpu","quantity":23,"unit":"core-hours","cost":1.15}]},\
        {"date":"2026-03-09","resources":[\
        {"resource_type":"cpu","quantity":2,"unit":"core-hours","cost":0.10}]}]""",
        body.get("days").toString());
  }

  /** Without {@code days}: the 30 days ending today, February 8 to March 9, oldest first. */
  @Test
  void theDefaultIsTheLastThirtyDaysEndingToday() {
    billing.clock.set(at("2026-03-09T23:59:59Z"));

    JsonNode days = billing.call(HttpMethod.GET, "/usage/daily", user("newbie")).body().get("days");

    assertEquals(30, days.size());
    assertEquals("2026-02-08", days.get(0).get("date").asText());
    assertEquals("2026-03-09", days.get(29).get("date").asText());
  }

  @Test
  void aYearAndADayIsTheLongestRange() {
    Answer answer = billing.call(HttpMethod.GET, "/usage/daily?days=366", user("newbie"));

    assertEquals(200, answer.status());
    assertEquals(366, answer.body().get("days").size());
    assertEquals("2025-03-01", answer.body().at("/days/0/date").asText());
  }

  @ParameterizedTest(name = "days={0} -> 400")
  @ValueSource(strings = {"0", "367", "-1", "ten", "１０", "2.5"})
  void badDaysAreRefusedNamingDays(String days) {
    Answer answer = billing.call(HttpMethod.GET, "/usage/daily?days=" + days, user("ann"));

    assertEquals(400, answer.status());
    assertEquals("days", answer.errorField());
    assertEquals("invalid_parameter", answer.body().at("/error/code").asText());
  }

  @Test
  void anonymousCallersAreRefused() {
    assertEquals(401, billing.call(HttpMethod.GET, "/usage/daily", Caller.ANONYMOUS).status());
  }

  @Test
  void aUserMayNotReadAnotherUsersDailyUsage() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    Answer answer = billing.call(HttpMethod.GET, "/usage/daily?user_id=bob", user("eve"));

    assertEquals(403, answer.status());
    assertEquals("not_a_member", answer.body().at("/error/code").asText());
  }

  @Test
  void anAdminReadsAnyUsersDailyUsageByUserIdButNotAnUnknownUsers() {
    billing.userCreated("bob", Map.of());
    billing.created("2026-03-01T08:00:00Z", "s1", "bob", size("1", "0", "0"));
    billing.terminated("2026-03-01T09:00:00Z", "s1", "bob");
    billing.calculateUsageAt("2026-03-01T10:00:00Z");

    Answer bob = billing.call(HttpMethod.GET, "/usage/daily?days=1&user_id=bob", admin("root"));
    Answer ghost = billing.call(HttpMethod.GET, "/usage/daily?user_id=ghost", admin("root"));

    assertEquals(200, bob.status());
    assertEquals("bob", bob.body().get("user_id").asText());
    assertEquals("0.05", bob.body().at("/days/0/resources/0/cost").toString());
    assertEquals(404, ghost.status());
  }
}
