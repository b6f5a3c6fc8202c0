package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
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

/** {@code GET /costs/monthly} through the registered route handler. */
class CostRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * Four periods up to March 2026 (invoice day 1, UTC). December has only a draft (not
   * invoiced: null); January a sent invoice of 12.34; February a paid one of 5.00 beside a void
   * one of 99.00 (left out). March is current: not invoiced yet, its estimate the invoice so far
   * in usage mode, 2 cores and 4 GB for 3 h at the default rates: 6 core-hours (0.30) and 12
   * GB-hours (0.12), 0.42, which is GET /spending-limit's estimate too.
   */
  @Test
  void pastPeriodsShowTheirFinalizedInvoicesAndTheCurrentOneItsEstimate() {
    billing.userCreated("john", Map.of());
    billing.flush();
    invoice(
        "john",
        "2025-12-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        "draft",
        null,
        "USD",
        "7.00",
        "0",
        "7.00",
        null,
        null);
    invoice(
        "john",
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
        "sent",
        "INV-1",
        "USD",
        "12.34",
        "0",
        "12.34",
        "2026-02-15T00:00:00Z",
        null);
    invoice(
        "john",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "void",
        "INV-2",
        "USD",
        "99.00",
        "0",
        "99.00",
        "2026-03-15T00:00:00Z",
        null);
    invoice(
        "john",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "paid",
        "INV-3",
        "USD",
        "6.00",
        "1.00",
        "5.00",
        "2026-03-15T00:00:00Z",
        "2026-03-02T00:00:00Z");
    billing.created("2026-03-08T09:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.terminated("2026-03-08T12:00:00Z", "s1", "john");
    billing.calculateUsageAt("2026-03-10T00:00:00Z");

    Answer answer = billing.call(HttpMethod.GET, "/costs/monthly?months=4", user("john"));
    JsonNode limit = billing.call(HttpMethod.GET, "/spending-limit", user("john")).body();

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(
        """
        {"user_id":"john","currency":"USD","months":[\
        {"period_start":"2025-12-01T00:00:00Z","period_end":"2026-01-01T00:00:00Z",\
        "invoiced":null,"estimate":null},\
        {"period_start":"2026-01-01T00:00:00Z","period_end":"2026-02-01T00:00:00Z",\
        "invoiced":12.34,"estimate":null},\
        {"period_start":"2026-02-01T00:00:00Z","period_end":"2026-03-01T00:00:00Z",\
        "invoiced":5.00,"estimate":null},\
        {"period_start":"2026-03-01T00:00:00Z","period_end":"2026-04-01T00:00:00Z",\
        "invoiced":null,"estimate":0.42}]}""",
        answer.body().toString());
    assertEquals(limit.at("/estimate/total"), answer.body().at("/months/3/estimate"));
  }

  /**
   * Periods start at midnight of the invoice day in the billing zone: day 15 in Asia/Kolkata
   * (+05:30) at 2026-03-10, the current period began on February 15 there, 2026-02-14T18:30Z.
   * An invoice of the period before, from 2026-01-14T18:30Z, counts there.
   */
  @Test
  void periodsStartAtTheInvoiceDayInTheBillingZone() {
    billing.context.setConfigJson("{\"billingTimeZone\": \"Asia/Kolkata\", \"invoiceDay\": 15}");
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("ann", Map.of());
    billing.flush();
    invoice(
        "ann",
        "2026-01-14T18:30:00Z",
        "2026-02-14T18:30:00Z",
        "overdue",
        "INV-9",
        "USD",
        "3.50",
        "0",
        "3.50",
        "2026-02-28T18:30:00Z",
        null);
    billing.clock.set(at("2026-03-10T00:00:00Z"));

    JsonNode months =
        billing.call(HttpMethod.GET, "/costs/monthly?months=2", user("ann")).body().get("months");

    assertEquals(
        """
        [{"period_start":"2026-01-14T18:30:00Z","period_end":"2026-02-14T18:30:00Z",\
        "invoiced":3.50,"estimate":null},\
        {"period_start":"2026-02-14T18:30:00Z","period_end":"2026-03-14T18:30:00Z",\
        "invoiced":null,"estimate":0.00}]""",
        months.toString());
  }

  /**
   * VND has no decimals: January's invoice of 125,000; this period 1 core for 20 minutes at
   * 1,250 a core-hour, 1,200 core-seconds x 1,250 / 3,600 = 416.66…, estimated 417.
   */
  @Test
  void aVndAccountsCostsHaveNoDecimals() {
    billing.context.setConfigJson(BillingHarness.USD_AND_VND_CONFIG);
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    invoice(
        "thu",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "sent",
        "INV-5",
        "VND",
        "125000",
        "0",
        "125000",
        "2026-03-15T00:00:00Z",
        null);
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "0", "0"));
    billing.terminated("2026-03-02T08:20:00Z", "s1", "thu");
    billing.calculateUsageAt("2026-03-02T10:00:00Z");

    JsonNode body = billing.call(HttpMethod.GET, "/costs/monthly?months=2", user("thu")).body();

    assertEquals("VND", body.get("currency").asText());
    assertEquals("125000", body.at("/months/0/invoiced").toString());
    assertEquals("417", body.at("/months/1/estimate").toString());
  }

  /** Without {@code months}: twelve periods, April 2025 to March 2026, the current one last. */
  @Test
  void theDefaultIsTheLastTwelvePeriods() {
    billing.clock.set(at("2026-03-31T23:59:59Z"));

    JsonNode months =
        billing.call(HttpMethod.GET, "/costs/monthly", user("newbie")).body().get("months");

    assertEquals(12, months.size());
    assertEquals("2025-04-01T00:00:00Z", months.get(0).get("period_start").asText());
    assertEquals("2026-03-01T00:00:00Z", months.get(11).get("period_start").asText());
    assertEquals("0.00", months.get(11).get("estimate").toString());
  }

  @Test
  void threeYearsIsTheLongestRange() {
    Answer answer = billing.call(HttpMethod.GET, "/costs/monthly?months=36", user("newbie"));

    assertEquals(200, answer.status());
    assertEquals(36, answer.body().get("months").size());
    assertEquals("2023-04-01T00:00:00Z", answer.body().at("/months/0/period_start").asText());
  }

  @ParameterizedTest(name = "months={0} -> 400")
  @ValueSource(strings = {"0", "37", "-1", "twelve", "１２", "1.5"})
  void badMonthsAreRefusedNamingMonths(String months) {
    Answer answer = billing.call(HttpMethod.GET, "/costs/monthly?months=" + months, user("ann"));

    assertEquals(400, answer.status());
    assertEquals("months", answer.errorField());
    assertEquals("invalid_parameter", answer.body().at("/error/code").asText());
  }

  @Test
  void anonymousCallersAreRefused() {
    assertEquals(401, billing.call(HttpMethod.GET, "/costs/monthly", Caller.ANONYMOUS).status());
  }

  @Test
  void aUserMayNotReadAnotherUsersCosts() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    Answer answer = billing.call(HttpMethod.GET, "/costs/monthly?user_id=bob", user("eve"));

    assertEquals(403, answer.status());
    assertEquals("not_a_member", answer.body().at("/error/code").asText());
  }

  @Test
  void anAdminReadsAnyUsersCostsByUserIdButNotAnUnknownUsers() {
    billing.userCreated("bob", Map.of());
    billing.flush();
    invoice(
        "bob",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "sent",
        "INV-7",
        "USD",
        "2.00",
        "0",
        "2.00",
        "2026-03-15T00:00:00Z",
        null);

    Answer bob = billing.call(HttpMethod.GET, "/costs/monthly?months=2&user_id=bob", admin("root"));
    Answer ghost = billing.call(HttpMethod.GET, "/costs/monthly?user_id=ghost", admin("root"));

    assertEquals(200, bob.status());
    assertEquals("bob", bob.body().get("user_id").asText());
    assertEquals("2.00", bob.body().at("/months/0/invoiced").toString());
    assertEquals(404, ghost.status());
  }
}
