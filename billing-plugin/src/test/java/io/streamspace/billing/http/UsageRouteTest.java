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
    assertEquals(
        """
        {"user_id":"john","period_start":"2026-03-01T00:00:00Z",\
        "period_end":"2026-04-01T00:00:00Z","currency":"USD","lines":[\
        {"resource_type":"cpu","quantity":20,"unit":"core-hours","unit_price":0.05,\
        "total_cost":1.00},\
        {"resource_type":"memory","quantity":40,"unit":"gb-hours","unit_price":0.01,\
        "total_cost":0.40}],"total_cost":1.40}""",
        answer.body().toString());
  }

  /**
   * The golden example at a start off the hour. From 07:14:34 the first and last slices are
   * 2,726 s and 874 s, whose core-hours (1.51444…, 0.48555…) do not terminate: rounded on each
   * record they summed to 19.99999999999999995556 core-hours. Summed as exact core-seconds
   * (2 x 36,000 = 72,000) and divided once, they are 20. (From 07:14:33 the partial slices are
   * 2,727 s and 873 s, whose hours happen to terminate; both must give the same answer.)
   */
  @ParameterizedTest(name = "from {0}")
  @CsvSource({
    "2026-03-02T07:14:33Z, 2026-03-02T17:14:33Z",
    "2026-03-02T07:14:34Z, 2026-03-02T17:14:34Z"
  })
  void tenHoursStartingOffTheHourAreExactlyTwentyCoreHoursAndFortyGbHours(
      String start, String end) {
    billing.userCreated("john", Map.of());
    billing.created(start, "s1", "john", size("2", "4", "0"));
    billing.terminated(end, "s1", "john");
    billing.calculateUsageAt("2026-03-02T19:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage", user("john")).body();

    assertEquals(22, BillingHarness.slices("john").size(), "1 + 9 + 1 slices of each resource");
    assertEquals("20", body.at("/lines/0/quantity").toString());
    assertEquals("40", body.at("/lines/1/quantity").toString());
    assertEquals("1.00", body.at("/lines/0/total_cost").toString());
    assertEquals("0.40", body.at("/lines/1/total_cost").toString());
    assertEquals("1.40", body.get("total_cost").toString());
  }

  /**
   * An exact half cent over several slices rounds up. 2 cores from 07:14:34 to 09:29:34 at
   * 0.05 per core-hour: slices of 2,726 s, 3,600 s and 1,774 s, so 2 x 8,100 = 16,200
   * core-seconds = 4.5 core-hours, costing 16,200 x 0.05 / 3,600 = 0.225 exactly: 0.23 half up.
   * Each slice's core-hours (1.51444…, 2, 0.98555…) rounded on its record summed to
   * 4.49999999999999995556 core-hours, whose cost 0.22499… rounded down to 0.22.
   */
  @Test
  void anExactHalfCentAcrossSeveralSlicesRoundsUp() {
    billing.userCreated("jane", Map.of());
    billing.created("2026-03-02T07:14:34Z", "s1", "jane", size("2", "0", "0"));
    billing.terminated("2026-03-02T09:29:34Z", "s1", "jane");
    billing.calculateUsageAt("2026-03-02T10:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage", user("jane")).body();

    assertEquals(3, BillingHarness.slices("jane").size());
    assertEquals("4.5", body.at("/lines/0/quantity").toString());
    assertEquals("0.23", body.at("/lines/0/total_cost").toString());
    assertEquals("0.23", body.get("total_cost").toString());
  }

  /** A quantity is shown to 6 places half up (display only); its cost is still exact. */
  @Test
  void quantitiesAreShownToSixPlacesAndCostsComeFromExactUnitSeconds() {
    billing.userCreated("ivy", Map.of());
    billing.context.setConfigJson("{\"computeRates\": {\"cpu_per_core_hour\": 36}}");
    billing.billing.onConfigChanged(billing.context);
    billing.created("2026-03-02T08:00:00Z", "s1", "ivy", size("1", "0", "0"));
    billing.terminated("2026-03-02T08:00:05Z", "s1", "ivy");
    billing.calculateUsageAt("2026-03-02T09:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/usage", user("ivy")).body();

    // 5 core-seconds = 0.0013888… core-hours, shown as 0.001389; 5 x 36 / 3,600 = 0.05
    assertEquals("0.001389", body.at("/lines/0/quantity").toString());
    assertEquals("0.05", body.at("/lines/0/total_cost").toString());
  }

  @Test
  void linesAreRoundedHalfUpToTheCurrencyAndTheTotalAddsTheRoundedLines() {
    billing.context.setConfigJson(
        BillingHarness.USD_AND_VND_CONFIG.replace(
            "\"cpu_per_core_hour\": 1250, \"memory_per_gb_hour\": 250",
            "\"cpu_per_core_hour\": 1250.5, \"memory_per_gb_hour\": 0.3"));
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("thu", Map.of("currency", "VND"));
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
    JsonNode lastHour =
        billing
            .call(HttpMethod.GET, "/usage?from=2026-03-01T01:00:00Z&to=2026-03-02", user("ann"))
            .body();
    JsonNode february =
        billing.call(HttpMethod.GET, "/usage?from=2026-02-01&to=2026-03-01", user("ann")).body();

    assertEquals("2", march.at("/lines/0/quantity").toString());
    assertEquals("1", lastHour.at("/lines/0/quantity").toString());
    assertEquals("2026-02-01T00:00:00Z", february.get("period_start").asText());
    assertEquals("2", february.at("/lines/0/quantity").toString());
  }

  /**
   * Any range between slice cuts is answered exactly. ann runs 2 cores from 10:00 to 13:00:
   * [10:00, 12:00) is 4 core-hours (0.20). In Kolkata (+05:30) the dates are midnights at
   * 18:30Z, where slices are cut too: her session from 2026-03-14T17:00Z to 20:00Z has 1.5 h on
   * March 15 there (18:30Z to 20:00Z), 3 core-hours (0.15).
   */
  @Test
  void rangesOnWholeHoursAndOnDatesOfAHalfHourZoneAreAnsweredExactly() {
    billing.created("2026-03-02T10:00:00Z", "s1", "ann", size("2", "0", "0"));
    billing.terminated("2026-03-02T13:00:00Z", "s1", "ann");
    billing.created("2026-03-14T17:00:00Z", "s2", "ann", size("2", "0", "0"));
    billing.terminated("2026-03-14T20:00:00Z", "s2", "ann");
    billing.context.setConfigJson("{\"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.billing.onConfigChanged(billing.context);
    billing.calculateUsageAt("2026-03-15T00:00:00Z");

    Answer hours =
        billing.call(
            HttpMethod.GET,
            "/usage?from=2026-03-02T10:00:00Z&to=2026-03-02T12:00:00Z",
            user("ann"));
    Answer day = billing.call(HttpMethod.GET, "/usage?from=2026-03-15&to=2026-03-16", user("ann"));

    assertEquals(200, hours.status(), hours.body().toString());
    assertEquals("4", hours.body().at("/lines/0/quantity").toString());
    assertEquals("0.20", hours.body().get("total_cost").toString());
    assertEquals("2026-03-14T18:30:00Z", day.body().get("period_start").asText());
    assertEquals("3", day.body().at("/lines/0/quantity").toString());
    assertEquals("0.15", day.body().get("total_cost").toString());
  }

  /**
   * Usage is kept in slices, so a range that would cut one is refused, not estimated:
   * [10:30, 11:45) of a 2-core session is not 2.5 core-hours to be read from hourly slices.
   */
  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
    "from=2026-03-02T10:30:00Z&to=2026-03-02T12:00:00Z, from",
    "from=2026-03-02T10:00:00Z&to=2026-03-02T11:45:00Z, to",
    "from=2026-03-02T10:00:00.5Z&to=2026-03-03, from",
  })
  void aRangeThatWouldCutASliceIsRefusedNamingTheGranularity(String query, String field) {
    billing.created("2026-03-02T10:00:00Z", "s1", "ann", size("2", "0", "0"));
    billing.terminated("2026-03-02T13:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-02T14:00:00Z");

    Answer answer = billing.call(HttpMethod.GET, "/usage?" + query, user("ann"));

    assertEquals(400, answer.status());
    assertEquals(field, answer.errorField());
    assertEquals("invalid_range", answer.body().at("/error/code").asText());
    assertEquals(
        field
            + " must be a whole UTC hour or a midnight in the billing zone (UTC): "
            + "usage is kept in slices cut there",
        answer.body().at("/error/message").asText());
  }

  /**
   * Slices rated before the billing zone changed are cut at the old zone's midnights: a date of
   * the new zone that falls inside one is refused too, not estimated. Rated in UTC, read in
   * Kolkata: 2026-03-03 is 2026-03-02T18:30Z, inside the slice [18:00, 19:00).
   */
  @Test
  void aDateInsideASliceRatedUnderAnEarlierZoneIsRefused() {
    billing.created("2026-03-02T17:00:00Z", "s1", "ann", size("1", "0", "0"));
    billing.terminated("2026-03-02T20:00:00Z", "s1", "ann");
    billing.calculateUsageAt("2026-03-02T21:00:00Z");
    billing.context.setConfigJson("{\"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.billing.onConfigChanged(billing.context);

    Answer answer =
        billing.call(HttpMethod.GET, "/usage?from=2026-03-03&to=2026-03-04", user("ann"));

    assertEquals(400, answer.status());
    assertEquals("from", answer.errorField());
    assertEquals("invalid_range", answer.body().at("/error/code").asText());
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
