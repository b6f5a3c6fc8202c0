package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET} and {@code PUT /subscription} through the registered route handlers. */
class SubscriptionRoutesTest {

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-01T00:00:00Z"), BillingHarness.USD_AND_VND_CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer put(Caller caller, String body) {
    return billing.call(HttpMethod.PUT, "/subscription", caller, body);
  }

  private static long activeTerms(String userId) {
    return (Long)
        value(
            "SELECT count(*) FROM billing_subscriptions WHERE user_id = ? "
                + "AND ended_at IS NULL",
            userId);
  }

  @Test
  void aNewAccountIsOnTheDefaultPlanWithNoHistory() {
    billing.userCreated("ann", Map.of());
    billing.flush();

    Answer answer = billing.call(HttpMethod.GET, "/subscription", user("ann"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"user_id":"ann","plan_id":"free","plan_version":1,"plan_name":"Free Tier","price":0,\
        "currency":"USD","interval":"month","cpu_limit":2,"memory_limit":4,"storage_limit":10,\
        "started_at":"2026-03-01T00:00:00Z","billing_mode":"usage","status":"active",\
        "current_period_start":"2026-03-01T00:00:00Z","current_period_end":"2026-04-01T00:00:00Z",\
        "stripe_subscription_id":null,"canceled_at":null,"scheduled_change":null,"trial":null,\
        "history":[]}""",
        answer.body().toString());
  }

  /**
   * Invoice day 15 in New York: on 2026-03-10 the period is [Feb 15 midnight EST, Mar 15
   * midnight EDT) (05:00Z to 04:00Z: DST began on Mar 8); at that midnight the next one starts.
   */
  @Test
  void theCurrentPeriodRunsFromTheInvoiceDaysMidnightInTheBillingZoneToTheNext() {
    try (BillingHarness newYork =
        new BillingHarness(
            at("2026-03-10T12:00:00Z"),
            "{\"billingTimeZone\": \"America/New_York\", \"invoiceDay\": 15}")) {
      newYork.userCreated("ann", Map.of());
      newYork.flush();

      JsonNode before = newYork.call(HttpMethod.GET, "/subscription", user("ann")).body();
      newYork.clock.set(at("2026-03-15T04:00:00Z"));
      JsonNode after = newYork.call(HttpMethod.GET, "/subscription", user("ann")).body();

      assertEquals("2026-02-15T05:00:00Z", before.get("current_period_start").asText());
      assertEquals("2026-03-15T04:00:00Z", before.get("current_period_end").asText());
      assertEquals("2026-03-15T04:00:00Z", after.get("current_period_start").asText());
      assertEquals("2026-04-15T04:00:00Z", after.get("current_period_end").asText());
    }
  }

  @Test
  void theStatusIsSuspendedWhileLockedForNonPayment_andTheStripeSubscriptionIsNamed() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,
            current_period_end, event_at, updated_at, started_at)
        VALUES ('sub_1', 'ann', 'pro', 'active', '2026-04-01T00:00:00Z',
            '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')""");
    JsonNode unlocked = billing.call(HttpMethod.GET, "/subscription", user("ann")).body();
    TestDatabase.execute(
        "INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)"
            + " VALUES ('ann', 'non_payment', 'Invoice INV-1 is unpaid.', now())");

    JsonNode locked = billing.call(HttpMethod.GET, "/subscription", user("ann")).body();

    assertEquals("active", unlocked.get("status").asText());
    assertEquals("sub_1", unlocked.get("stripe_subscription_id").asText());
    assertEquals("suspended", locked.get("status").asText());
    assertTrue(locked.get("canceled_at").isNull());
  }

  @Test
  void aClosedOrganizationsSubscriptionIsCanceledAtItsClosing() {
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "pro", "2026-03-01T00:00:00Z");
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "o-acme-deleted", at("2026-03-05T10:00:00Z"), Type.DELETED, "acme", null, null));
    billing.flush();
    billing.clock.set(at("2026-03-06T00:00:00Z"));

    Answer answer = billing.call(HttpMethod.GET, "/subscription?org_id=acme", admin("root"));

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals("canceled", answer.body().get("status").asText());
    assertEquals("2026-03-05T10:00:00Z", answer.body().get("canceled_at").asText());
  }

  @Test
  void aChangeEndsTheActiveTermAndStartsTheNewPlanAtNowAndIsPublished() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(at("2026-03-15T00:00:00Z"));

    Answer changed = put(user("ann"), "{\"plan_id\": \"pro\"}");
    billing.clock.set(at("2026-03-20T09:30:00Z"));
    Answer again = put(user("ann"), "{\"plan_id\": \"enterprise\"}");

    assertEquals(200, changed.status());
    assertEquals("pro", changed.body().get("plan_id").asText());
    assertEquals("29.99", changed.body().get("price").toString());
    assertEquals("2026-03-15T00:00:00Z", changed.body().get("started_at").asText());
    assertEquals(200, again.status());
    JsonNode history = again.body().get("history");
    assertEquals(2, history.size());
    assertEquals("pro", history.get(0).get("plan_id").asText(), "newest first");
    assertEquals("2026-03-15T00:00:00Z", history.get(0).get("started_at").asText());
    assertEquals("2026-03-20T09:30:00Z", history.get(0).get("ended_at").asText());
    assertEquals("free", history.get(1).get("plan_id").asText());
    assertEquals("2026-03-15T00:00:00Z", history.get(1).get("ended_at").asText());
    assertEquals(1, activeTerms("ann"));
    assertEquals(
        "billing.subscription.changed "
            + """
        {"user_id":"ann","previous_plan_id":"pro","plan_id":"enterprise","price":99.99,\
        "currency":"USD","changed_at":"2026-03-20T09:30:00Z","trial_ends_at":null}""",
        billing.context.published().get(1));
  }

  /**
   * Ten changes a minute apart from 10:00 to 10:09 (pro, free, pro, ..., the tenth back to free)
   * fill the hour: at 10:30 an eleventh is refused until 11:00, when the 10:00 change leaves the
   * hour (1,800 s). At 11:00 exactly it is taken (the hour is (10:00, 11:00]: nine changes in
   * it), and it is the tenth again: the next is refused until the 10:01 change leaves, 60 s on.
   */
  @Test
  void theEleventhPlanChangeWithinAnHourIs429WithRetryAfter_andChangesNothing() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    for (int minute = 0; minute < 10; minute++) {
      billing.clock.set(at("2026-03-02T10:00:00Z").plusSeconds(60L * minute));
      String plan = minute % 2 == 0 ? "pro" : "free";
      assertEquals(200, put(user("ann"), "{\"plan_id\": \"" + plan + "\"}").status(), plan);
    }
    billing.clock.set(at("2026-03-02T10:30:00Z"));

    HttpResponse refused =
        billing
            .context
            .routes()
            .call(HttpMethod.PUT, "/subscription", user("ann"), "{\"plan_id\": \"enterprise\"}");

    assertEquals(429, refused.status());
    assertEquals(Map.of("Retry-After", "1800"), refused.headers());
    JsonNode error = new ObjectMapper().readTree(refused.body()).get("error");
    assertEquals("too_many_plan_changes", error.get("code").asText());
    assertEquals(
        "the plan of ann was changed 10 times in the last hour, as many as an hour takes; the next"
            + " change is taken from 2026-03-02T11:00:00Z",
        error.get("message").asText());
    assertEquals(
        "free",
        billing.call(HttpMethod.GET, "/subscription", user("ann")).body().get("plan_id").asText());
    assertEquals(11L, value("SELECT count(*) FROM billing_subscriptions WHERE user_id = 'ann'"));
    assertEquals(200, put(user("bob"), "{\"plan_id\": \"pro\"}").status(), "ann's hour only");

    billing.clock.set(at("2026-03-02T11:00:00Z"));
    assertEquals(200, put(user("ann"), "{\"plan_id\": \"enterprise\"}").status());
    HttpResponse next =
        billing
            .context
            .routes()
            .call(HttpMethod.PUT, "/subscription", user("ann"), "{\"plan_id\": \"pro\"}");
    assertEquals(429, next.status());
    assertEquals(Map.of("Retry-After", "60"), next.headers());
  }

  @Test
  void aVndAccountMovesOntoThePlansVndPrice() {
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();

    JsonNode body = put(user("thu"), "{\"plan_id\": \"enterprise\"}").body();

    assertEquals("2500000", body.get("price").toString());
    assertEquals("VND", body.get("currency").asText());
    assertEquals("VND", body.at("/history/0/currency").asText());
  }

  @Test
  void anAdminReadsAndChangesAnyonesPlanByUserId() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    Answer changed =
        put(
            admin("root"),
            "{\"plan_id\": \"pro\", \"user_id\": \"bob\", \"reason\": \"asked by phone\"}");
    Answer read = billing.call(HttpMethod.GET, "/subscription?user_id=bob", admin("root"));

    assertEquals(200, changed.status());
    assertEquals("bob", changed.body().get("user_id").asText());
    assertEquals("pro", read.body().get("plan_id").asText());
  }

  /**
   * The message names a configured plan by its name (Free Tier is {@code free} here), a plan
   * id no plan has as it was typed.
   */
  @ParameterizedTest(name = "{0} -> {1} ({2})")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"plan_id\": \"gold\"}                      | 400 | plan_id | no plan \"gold\"",
        "{\"plan_id\": \"free\"}                      | 400 | plan_id | already on Free Tier",
        "{\"plan\": \"pro\"}                          | 400 | plan_id |",
        "{\"plan_id\": 7}                             | 400 | plan_id |",
        "not json                                     | 400 |         |",
        "{\"plan_id\": \"pro\", \"user_id\": 5}      | 400 | user_id |",
        "{\"plan_id\": \"pro\", \"user_id\": \"bob\"} | 403 |         |",
      })
  void refusedChangesChangeNothing(String body, int status, String field, String message) {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();

    Answer answer = put(user("ann"), body);

    assertEquals(status, answer.status(), answer.body().toString());
    assertEquals(field, answer.errorField());
    if (message != null) {
      assertEquals(message, answer.errorMessage());
    }
    assertEquals(
        List.of(List.of("ann", "free"), List.of("bob", "free")),
        rows("SELECT user_id, plan_id FROM billing_subscriptions ORDER BY user_id"));
    assertTrue(billing.context.published().isEmpty());
  }

  @Test
  void authorizationAndUnknownAccountsAnswerAsUsageDoes() {
    billing.userCreated("bob", Map.of());
    billing.flush();

    assertEquals(401, billing.call(HttpMethod.GET, "/subscription", Caller.ANONYMOUS).status());
    assertEquals(401, put(Caller.ANONYMOUS, "{\"plan_id\": \"pro\"}").status());
    assertEquals(
        403, billing.call(HttpMethod.GET, "/subscription?user_id=bob", user("eve")).status());
    assertEquals(
        404, billing.call(HttpMethod.GET, "/subscription?user_id=ghost", admin("root")).status());
    assertEquals(
        404, put(admin("root"), "{\"plan_id\": \"pro\", \"user_id\": \"ghost\"}").status());
    assertEquals(404, billing.call(HttpMethod.GET, "/subscription", user("newbie")).status());
  }

  /**
   * Two changes of one account at once, both past their read of the active plan: the first to
   * end it wins; the second finds it already ended and answers 409, leaving one active plan.
   * A lock the test holds on the active row makes both wait at that point, so they overlap.
   */
  @Test
  void aConcurrentDoubleChangeLetsOneThroughAndAnswersTheOther409() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    CompletableFuture<Answer> toPro;
    CompletableFuture<Answer> toEnterprise;
    try (Connection lock = TestDatabase.dataSource().getConnection();
        Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("SELECT 1 FROM billing_subscriptions WHERE user_id = 'ann' FOR UPDATE");
      toPro = CompletableFuture.supplyAsync(() -> put(user("ann"), "{\"plan_id\": \"pro\"}"));
      toEnterprise =
          CompletableFuture.supplyAsync(() -> put(user("ann"), "{\"plan_id\": \"enterprise\"}"));
      // both changes block on the test's lock
      TestDatabase.awaitSessionsWaitingForALock(2);
      lock.commit();
    }

    List<Integer> statuses = List.of(toPro.get().status(), toEnterprise.get().status());

    assertEquals(List.of(200, 409), statuses.stream().sorted().toList(), statuses.toString());
    assertEquals(1, activeTerms("ann"));
    assertEquals(2L, value("SELECT count(*) FROM billing_subscriptions WHERE user_id = 'ann'"));
    assertEquals(1, billing.context.published().size());
  }

  /** The database, not a convention, keeps exactly one active plan per account. */
  @Test
  void theDatabaseRefusesASecondActivePlanAndAnAccountWithoutOne() {
    billing.userCreated("ann", Map.of());
    billing.flush();

    SQLException second =
        assertThrows(
            SQLException.class,
            () ->
                execute(
                    """
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        VALUES ('ann', 'pro', 'Professional', 29.99, 'USD', 'month', now())"""));
    SQLException none =
        assertThrows(
            SQLException.class,
            () ->
                execute(
                    "UPDATE billing_subscriptions SET ended_at = started_at WHERE user_id = 'ann'"));

    assertEquals("23505", second.getSQLState());
    assertEquals("23000", none.getSQLState());
    assertEquals(1, activeTerms("ann"));
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
