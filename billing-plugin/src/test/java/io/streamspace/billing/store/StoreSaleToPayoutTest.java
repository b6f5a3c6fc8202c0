package io.streamspace.billing.store;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole way of a sale's money, through the routes and the jobs: organizations buy cara's
 * theme in March, one purchase is refunded, March's statement says what cara is owed, and the
 * pay-creators job transfers it to her Stripe account, once. Worked by hand: USD at 30 % to the
 * platform, monthly, payouts from 1.00; Midnight at 4.99. Three purchases: 4.99 × 0.30 = 1.497 →
 * the platform 1.50 (half up), cara 3.49 each; one refunded: cara keeps 2 × 3.49 = 6.98.
 */
class StoreSaleToPayoutTest {

  private static final String CONFIG =
      """
      {"stripeEnabled": true,
       "storeRevenueShare": {"USD": {"tiers": [{"from": 0, "platform_rate": 0.30}],
                                     "reset": "calendar_month", "minimum_payout": 1.00}}}""";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"), CONFIG);

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  @Test
  void marchsSalesLessItsRefundArePaidToTheCreatorInAprilByOneTransfer() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    stripe.stubFor(
        post(urlEqualTo("/v1/transfers"))
            .willReturn(
                okJson(
                    """
                    {"id":"tr_1","object":"transfer","amount":698,"currency":"usd",\
                    "destination":"acct_Cara1","created":1775088000,"reversed":false,\
                    "livemode":false,"metadata":{}}""")));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/transfers"))
            .willReturn(
                okJson(
                    "{\"object\":\"list\",\"data\":[],\"has_more\":false,"
                        + "\"url\":\"/v1/transfers\"}")));
    long midnight = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    for (String buyer : new String[] {"ann", "bob", "eve"}) {
      billing.userCreated(buyer, Map.of());
    }
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long refunded = 0;
    for (String buyer : new String[] {"ann", "bob", "eve"}) {
      Answer bought =
          billing.call(HttpMethod.POST, "/store/items/" + midnight + "/purchase", user(buyer), "");
      assertEquals(201, bought.status(), bought.toString());
      refunded = bought.body().at("/purchase/id").asLong();
    }
    billing.call(
        HttpMethod.POST,
        "/admin/store/purchases/" + refunded + "/refund",
        admin("root"),
        "{\"reason\": \"bought twice\"}");
    billing.call(
        HttpMethod.PUT,
        "/creator/payout-account",
        StoreFixtures.CARA,
        "{\"stripe_account\": \"acct_Cara1\"}");

    Answer march =
        billing.call(HttpMethod.GET, "/creator/statements?period=2026-03", StoreFixtures.CARA);
    billing.runAt("pay-creators", "2026-04-02T06:00:00Z");
    billing.runAt("pay-creators", "2026-04-03T06:00:00Z");

    assertEquals(200, march.status(), march.toString());
    assertEquals("6.98", march.body().at("/statements/0/payout").decimalValue().toPlainString());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/transfers"))
            .withFormParam("amount", equalTo("698"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("destination", equalTo("acct_Cara1")));
    assertEquals("paid", value("SELECT status FROM billing_creator_payouts"));

    // the minimum raised to 50.00 afterwards: March keeps the payout it was given, so April
    // opens at 0.00, not at March's 6.98 carried again (which would pay it twice)
    billing.context.setConfigJson(
        CONFIG.replace("\"minimum_payout\": 1.00", "\"minimum_payout\": 50"));
    billing.billing.onConfigChanged(billing.context);
    billing.clock.set(at("2026-04-10T00:00:00Z"));
    billing.userCreated("gil", Map.of());
    billing.flush();
    billing.call(HttpMethod.POST, "/store/items/" + midnight + "/purchase", user("gil"), "");
    JsonNode april =
        billing
            .call(HttpMethod.GET, "/creator/statements?period=2026-04", StoreFixtures.CARA)
            .body()
            .at("/statements/0");

    assertEquals("0.00", april.get("opening_balance").decimalValue().toPlainString());
    assertEquals("3.49", april.get("closing_balance").decimalValue().toPlainString());
    assertEquals("0.00", april.get("payout").decimalValue().toPlainString());
  }
}
