package io.streamspace.billing.store.payout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.streamspace.billing.PayoutsTestSource;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.PayCreatorsJob;
import io.streamspace.billing.store.payout.PayoutsDue.Due;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobRun;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Creators' payouts through their routes and the pay-creators job, with the real stripe-java
 * client against WireMock answering as Stripe's transfers API does, on real PostgreSQL, the clock
 * moved by hand. March 2026 is closed on 2 April: cara is owed 4,855.00 USD, dan 120,000 VND.
 */
class CreatorPayoutsTest {

  private static final String KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String ENABLED =
      "{\"stripeEnabled\": true, " + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String TRANSFERS = "/v1/transfers";
  private static final String NOW = "2026-04-02T00:00:00Z";
  private static final YearMonth MARCH = YearMonth.of(2026, 3);
  private static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));
  private static final Caller DAN = new Caller("dan", Set.of("user", Caller.ROLE_CREATOR));
  private static final Caller ROOT = admin("root");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  @BeforeEach
  void load() {
    stripe.start();
    billing = new BillingHarness(at(NOW), ENABLED);
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", "whsec_test_payouts");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    PayoutsTestSource.use(
        billing.billing,
        (connection, period) ->
            period.equals(MARCH)
                ? List.of(
                    new Due("cara", MARCH, Currency.getInstance("USD"), new BigDecimal("4855.00")),
                    new Due("dan", MARCH, Currency.getInstance("VND"), new BigDecimal("120000")))
                : List.of());
    stripe.stubFor(post(urlEqualTo(TRANSFERS)).willReturn(okJson(transfer("tr_1"))));
    stripe.stubFor(
        get(urlPathEqualTo(TRANSFERS))
            .willReturn(
                okJson(
                    "{\"object\":\"list\",\"data\":[],\"has_more\":false,\"url\":\"/v1/transfers\"}")));
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  private static String transfer(String id) {
    return """
        {"id":"%s","object":"transfer","amount":485500,"currency":"usd",\
        "destination":"acct_Cara1","created":1775088000,"reversed":false,"livemode":false,\
        "metadata":{}}"""
        .formatted(id);
  }

  private Answer setAccount(Caller creator, String body) {
    return billing.call(HttpMethod.PUT, "/creator/payout-account", creator, body);
  }

  private Answer runMonth(String period) {
    return billing.call(
        HttpMethod.POST,
        "/admin/store/payouts/run",
        ROOT,
        "{\"period\": \"" + period + "\", \"reason\": \"March statements closed\"}");
  }

  private JobRun payCreatorsAt(String now) {
    return billing.runAt(PayCreatorsJob.NAME, now);
  }

  private static long payoutOf(String creator) {
    return (Long) value("SELECT id FROM billing_creator_payouts WHERE creator_id = ?", creator);
  }

  /** The creator's payout as {@code status attempts next_attempt transfer last_error}. */
  private static String state(String creator) {
    return (String)
        value(
            """
            SELECT status || ' ' || attempts || ' '
                || coalesce(to_char(next_attempt_at AT TIME ZONE 'UTC',
                     'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '-')
                || ' ' || coalesce(stripe_transfer_id, '-') || ' ' || coalesce(last_error, '-')
            FROM billing_creator_payouts WHERE creator_id = ?""",
            creator);
  }

  /**
   * Cara's payout, sent at {@link #NOW} and made by Stripe (tr_1), left as a node dying before
   * its settling transaction committed leaves it: its try counted, leased for 10 minutes, not
   * paid. Answers its id.
   */
  private long transferredButNotRecorded() {
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}");
    payCreatorsAt(NOW);
    long id = payoutOf("cara");
    rows(
        """
        UPDATE billing_creator_payouts SET status = 'pending', stripe_transfer_id = NULL,
          paid_at = NULL, next_attempt_at = ?::timestamptz + interval '10 minutes'
        WHERE id = ? RETURNING 1""",
        NOW,
        id);
    return id;
  }

  private List<String> transferKeys() {
    return stripe.findAll(postRequestedFor(urlEqualTo(TRANSFERS))).stream()
        .map(r -> r.getHeader("Idempotency-Key"))
        .toList();
  }

  private StubMapping stripeAnswers(int status, String type, String code) {
    return stripe.stubFor(
        post(urlEqualTo(TRANSFERS))
            .atPriority(1)
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error\":{\"type\":\"%s\",\"code\":\"%s\",\"message\":\"no\"}}"
                            .formatted(type, code))));
  }

  @Test
  void aDuePayoutIsTransferredOnceWithItsAmountCurrencyDestinationAndKey_andARunAgainPaysNothing() {
    assertEquals(200, setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}").status());

    Answer run = runMonth("2026-03");

    assertEquals(200, run.status(), run.body().toString());
    assertEquals(2, run.body().get("queued").asInt());
    assertEquals(1, run.body().get("paid").asInt());
    long id = payoutOf("cara");
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(TRANSFERS))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withHeader("Idempotency-Key", equalTo("creator-payout-" + id))
            .withFormParam("amount", equalTo("485500"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("destination", equalTo("acct_Cara1"))
            .withFormParam("transfer_group", equalTo("creator-payout-" + id))
            .withFormParam("metadata[creator_id]", equalTo("cara"))
            .withFormParam("metadata[period]", equalTo("2026-03"))
            .withFormParam("metadata[payout_id]", equalTo(Long.toString(id))));
    assertEquals("paid 1 - tr_1 -", state("cara"));

    assertEquals(0, runMonth("2026-03").body().get("queued").asInt(), "the month has its rows");
    payCreatorsAt("2026-04-03T06:00:00Z");
    stripe.verify(1, postRequestedFor(urlEqualTo(TRANSFERS)));
    assertEquals(2L, value("SELECT count(*) FROM billing_creator_payouts"));
    JsonNode mine = billing.call(HttpMethod.GET, "/creator/payouts", CARA).body();
    assertEquals(1, mine.get("payouts").size());
    JsonNode paid = mine.get("payouts").get(0);
    assertEquals("2026-03", paid.get("period").asText());
    assertEquals("USD", paid.get("currency").asText());
    assertEquals(new BigDecimal("4855.00"), paid.get("amount").decimalValue());
    assertEquals("paid", paid.get("status").asText());
    assertEquals("tr_1", paid.get("stripe_transfer_id").asText());
    assertEquals(
        List.of("creator_payout.paid", "creator_payout.queued", "creator_payout.queued"),
        rows(
                "SELECT kind FROM billing_audit_entries WHERE kind LIKE 'creator_payout.%'"
                    + " AND reason = 'March statements closed' ORDER BY kind")
            .stream()
            .map(r -> (String) r.get(0))
            .toList(),
        "the admin's run, with their reason");
  }

  @Test
  void aPayoutWithoutAnAccountWaitsVisibly_andIsSentOnceTheCreatorSetsOne() {
    payCreatorsAt(NOW);

    assertEquals("pending 0 " + NOW + " - no payout account", state("dan"));
    JsonNode waiting = billing.call(HttpMethod.GET, "/creator/payouts", DAN).body();
    assertEquals("no payout account", waiting.at("/payouts/0/last_error").asText());
    assertEquals(
        "dan",
        billing
            .call(HttpMethod.GET, "/admin/store/payouts?status=pending", ROOT)
            .body()
            .at("/payouts/1/creator_id")
            .asText(""),
        "cara's waits too");
    stripe.verify(0, postRequestedFor(urlEqualTo(TRANSFERS)));

    assertEquals(200, setAccount(DAN, "{\"stripe_account\": \"acct_Dan2\"}").status());
    assertEquals("pending 0 " + NOW + " - -", state("dan"), "no longer waiting for an account");
    payCreatorsAt("2026-04-03T06:00:00Z");

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(TRANSFERS))
            .withFormParam("amount", equalTo("120000"))
            .withFormParam("currency", equalTo("vnd"))
            .withFormParam("destination", equalTo("acct_Dan2")));
    assertEquals("paid 1 - tr_1 -", state("dan"));
  }

  @Test
  void aReplayAfterStripeAnsweredButBeforeTheRowWasUpdatedResendsTheSameKey() {
    long id = transferredButNotRecorded();

    assertEquals(0, payCreatorsAt("2026-04-02T00:09:59Z").rowsTouched(), "leased 10 minutes");
    payCreatorsAt("2026-04-02T00:10:00Z");

    assertEquals(
        List.of("creator-payout-" + id, "creator-payout-" + id),
        transferKeys(),
        "Stripe answers the same key with the transfer it made: one transfer");
    stripe.verify(1, getRequestedFor(urlPathEqualTo(TRANSFERS)));
    assertEquals("paid 2 - tr_1 -", state("cara"));
  }

  @Test
  void aReplayFindsTheTransferAnEarlierTryMade_andSendsNothingMore_evenToAnotherAccountSetSince() {
    long id = transferredButNotRecorded();
    // the creator names another account meanwhile: the transfer made went to the first
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara2\"}");
    // two days later Stripe has forgotten the key; the transfer group still names the transfer
    stripe.stubFor(
        get(urlPathEqualTo(TRANSFERS))
            .atPriority(1)
            .withQueryParam("transfer_group", equalTo("creator-payout-" + id))
            .withQueryParam("destination", absent())
            .willReturn(
                okJson(
                    "{\"object\":\"list\",\"data\":[%s],\"has_more\":false,\"url\":\"/v1/transfers\"}"
                        .formatted(transfer("tr_1")))));

    payCreatorsAt("2026-04-04T06:00:00Z");

    stripe.verify(1, postRequestedFor(urlEqualTo(TRANSFERS)));
    assertEquals("paid 2 - tr_1 -", state("cara"));
  }

  @Test
  void aTransferStripeRefusesFailsVisiblyAndIsRetriedAfterTheBackoffUnderANewKey() {
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}");
    StubMapping refused = stripeAnswers(400, "invalid_request_error", "balance_insufficient");

    payCreatorsAt(NOW);

    assertEquals(
        "failed 1 2026-04-02T01:00:00Z - Stripe 400 balance_insufficient: no", state("cara"));
    JsonNode listed =
        billing.call(HttpMethod.GET, "/admin/store/payouts?status=failed", ROOT).body();
    assertEquals(1, listed.at("/payouts/0/attempts").asInt());
    assertEquals("2026-04-02T01:00:00Z", listed.at("/payouts/0/next_attempt_at").asText());
    stripe.removeStub(refused);
    assertEquals(0, payCreatorsAt("2026-04-02T00:59:59Z").rowsTouched(), "not before an hour");
    payCreatorsAt("2026-04-02T01:00:00Z");

    long id = payoutOf("cara");
    assertEquals("paid 2 - tr_1 -", state("cara"));
    assertEquals(
        List.of("creator-payout-" + id, "creator-payout-" + id + "-try-2"),
        transferKeys(),
        "Stripe made nothing under the refused key; the retry takes a new one");
  }

  @Test
  void aStripeOutageFailsThePayoutAndTheRetryKeepsItsKey() {
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}");
    StubMapping down = stripeAnswers(503, "api_error", "unavailable");

    payCreatorsAt(NOW);

    assertEquals("failed 1 2026-04-02T01:00:00Z - Stripe 503 unavailable: no", state("cara"));
    stripe.removeStub(down);
    payCreatorsAt("2026-04-02T01:00:00Z");
    long id = payoutOf("cara");
    assertEquals("paid 2 - tr_1 -", state("cara"));
    assertEquals(
        List.of("creator-payout-" + id),
        transferKeys().stream().distinct().toList(),
        "Stripe may have made it under the key: every try sends that key");
  }

  @Test
  void anAmountStripeCannotTakeFailsForGood_withoutATransfer() {
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}");
    // Stripe takes BHD to two decimals only
    PayoutsTestSource.use(
        billing.billing,
        (connection, period) ->
            List.of(new Due("cara", period, Currency.getInstance("BHD"), new BigDecimal("1.005"))));

    payCreatorsAt(NOW);

    assertEquals(
        "failed 1 - - BHD\u00a01.005 cannot be charged through Stripe, which takes BHD amounts to 2"
            + " decimals",
        state("cara"));
    stripe.verify(0, postRequestedFor(urlEqualTo(TRANSFERS)));
    assertEquals(0, payCreatorsAt("2026-04-09T06:00:00Z").rowsTouched(), "never tried again");
  }

  @Test
  void whileStripeIsDisabledPayoutsAreQueuedButNoneIsSent() {
    setAccount(CARA, "{\"stripe_account\": \"acct_Cara1\"}");
    billing.context.setConfigJson(BillingHarness.USD_AND_VND_CONFIG);
    billing.billing.onConfigChanged(billing.context);

    JobRun run = payCreatorsAt(NOW);

    assertEquals("2026-03: queued 2; paid 0; failed 0; stripe is disabled", run.message());
    assertEquals("pending 0 " + NOW + " - -", state("cara"));
    stripe.verify(0, postRequestedFor(urlEqualTo(TRANSFERS)));
  }

  @Test
  void theCurrentMonthIsRefused_andBadInputIsRefusedNamingItsField() {
    Answer current = runMonth("2026-04");
    assertEquals(409, current.status());
    assertEquals("period_not_closed", current.body().at("/error/code").asText());
    assertEquals("period", runMonth("2026-13").errorField());
    assertEquals(
        "reason",
        billing
            .call(HttpMethod.POST, "/admin/store/payouts/run", ROOT, "{\"period\": \"2026-03\"}")
            .errorField());
    assertEquals(
        "stripe_account", setAccount(CARA, "{\"stripe_account\": \"ba_123\"}").errorField());
    assertEquals("stripe_account", setAccount(CARA, "{}").errorField());
    assertEquals(
        "status",
        billing.call(HttpMethod.GET, "/admin/store/payouts?status=lost", ROOT).errorField());
    assertEquals(0L, value("SELECT count(*) FROM billing_creator_payouts"));
    assertEquals(0L, value("SELECT count(*) FROM billing_creator_payout_accounts"));
  }

  @Test
  void onlyCreatorsSetAccountsAndReadPayouts_onlyThePlatformAdminListsAndRuns() {
    Caller ann = user("ann");
    assertEquals(403, setAccount(ann, "{\"stripe_account\": \"acct_Ann1\"}").status());
    assertEquals(403, billing.call(HttpMethod.GET, "/creator/payouts", ann).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/creator/payouts", ROOT).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/store/payouts", CARA).status());
    assertEquals(
        403,
        billing
            .call(
                HttpMethod.POST,
                "/admin/store/payouts/run",
                CARA,
                "{\"period\": \"2026-03\", \"reason\": \"mine\"}")
            .status());
    assertEquals(401, billing.call(HttpMethod.GET, "/creator/payouts", Caller.ANONYMOUS).status());
    assertEquals(0L, value("SELECT count(*) FROM billing_creator_payouts"));
    assertNull(
        rows("SELECT 1 FROM billing_creator_payout_accounts").stream().findAny().orElse(null));
  }
}
