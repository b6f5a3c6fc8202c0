package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A query parameter given without a value is 400 {@code invalid_parameter} naming it, never read
 * as left out: {@code limit=} is not the default page, {@code member_id=} not the whole
 * organization's usage. Left out, each still takes its default.
 */
class EmptyQueryParametersTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T00:00:00Z"));

  @BeforeEach
  void annHasAnAccount() {
    billing.userCreated("ann", Map.of());
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @ParameterizedTest(name = "{0} -> 400 naming {1}")
  @CsvSource({
    "/usage?from=, from, ann",
    "/usage?from=2026-03-01&to=, to, ann",
    "/usage?member_id=, member_id, ann",
    "/usage?org_id=, org_id, ann",
    "/quota?org_id=, org_id, ann",
    "/invoices?limit=, limit, ann",
    "/invoices?offset=, offset, ann",
    "/usage/daily?days=, days, ann",
    "/costs/monthly?months=, months, ann",
    "/admin/payments?status=, status, root",
    "/credits?user_id=, user_id, root",
    "/admin/users?sort=, sort, root",
    "/admin/users?kind=, kind, root",
    "/admin/users?limit=, limit, root",
    "/admin/reports?group_by=, group_by, root",
    "/admin/reports?format=, format, root",
    "/admin/dashboard?months=, months, root",
  })
  void aParameterGivenWithoutAValueIsRefusedNamingIt(
      String pathAndQuery, String field, String who) {
    Caller caller = who.equals("root") ? admin("root") : user(who);

    Answer answer = billing.call(HttpMethod.GET, pathAndQuery, caller);

    assertEquals(400, answer.status(), pathAndQuery + ": " + answer.body());
    assertEquals("invalid_parameter", answer.body().at("/error/code").asText());
    assertEquals(field, answer.errorField());
    assertEquals(
        field + " is given without a value: leave it out, or give it one",
        answer.body().at("/error/message").asText());
  }

  @Test
  void leftOutEachTakesItsDefault() {
    assertEquals(200, billing.call(HttpMethod.GET, "/usage", user("ann")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/invoices", user("ann")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/admin/users", admin("root")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/admin/reports", admin("root")).status());
  }
}
