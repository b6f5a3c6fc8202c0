package io.streamspace.billing.payments.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/stripe/sync-catalog} with the real stripe-java client against WireMock
 * answering as Stripe's API does: the default plans (in USD and VND) and packs become Products
 * and Prices by lookup key, once; a second sync finds them all (WireMock then answers with what it
 * was told to create) and keeps them; a price whose amount changed is replaced under its lookup
 * key, the old one deactivated.
 */
class StripeCatalogSyncTest {

  private static final String CONFIG =
      "{\"stripeEnabled\": true, " + BillingHarness.USD_AND_VND_CONFIG.substring(1);

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at("2026-03-10T00:00:00Z"), CONFIG);

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_catalog");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    // nothing at Stripe yet: no product, no price
    stripe.stubFor(
        get(urlPathMatching("/v1/products/.*"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error", "code": "resource_missing",
                         "message": "No such product", "param": "id"}}""")));
    stripe.stubFor(get(urlPathEqualTo("/v1/prices")).atPriority(10).willReturn(okJson(list(""))));
    stripe.stubFor(
        post(urlEqualTo("/v1/products"))
            .willReturn(
                okJson(
                    """
                    {"id": "prod", "object": "product", "active": true, "name": "x",
                     "created": 1773100800, "livemode": false, "metadata": {}}""")));
    stripe.stubFor(
        post(urlPathMatching("/v1/products/.*"))
            .willReturn(
                okJson(
                    """
                    {"id": "prod", "object": "product", "active": true, "name": "x",
                     "created": 1773100800, "livemode": false, "metadata": {}}""")));
    stripe.stubFor(
        post(urlPathMatching("/v1/prices.*"))
            .willReturn(
                okJson(
                    """
                    {"id": "price_new", "object": "price", "active": true, "currency": "usd",
                     "type": "one_time", "created": 1773100800, "livemode": false,
                     "metadata": {}}""")));
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  private Answer sync() {
    return billing.call(HttpMethod.POST, "/admin/stripe/sync-catalog", admin("root"), "{}");
  }

  private static String list(String data) {
    return """
        {"object": "list", "data": [%s], "has_more": false, "url": "/v1/prices"}"""
        .formatted(data);
  }

  private static Map<String, String> form(LoggedRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : request.getBodyAsString().split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
    }
    return form;
  }

  private List<Map<String, String>> posted(String url) {
    return stripe.findAll(postRequestedFor(urlEqualTo(url))).stream()
        .map(StripeCatalogSyncTest::form)
        .toList();
  }

  private static String price(Map<String, String> p, String id, String unitAmount) {
    String interval = p.get("recurring[interval]");
    String metadata =
        p.containsKey("metadata[plan_id]")
            ? "{\"plan_id\": \"" + p.get("metadata[plan_id]") + "\"}"
            : "{\"pack_id\": \"" + p.get("metadata[pack_id]") + "\"}";
    return """
        {"id": "%s", "object": "price", "active": true, "currency": "%s", "lookup_key": "%s",
         "product": "%s", "unit_amount": %s, "tax_behavior": "%s", "type": "%s",
         "recurring": %s, "created": 1773100800, "livemode": false, "metadata": %s}"""
        .formatted(
            id,
            p.get("currency"),
            p.get("lookup_key"),
            p.get("product"),
            unitAmount,
            p.get("tax_behavior"),
            interval == null ? "one_time" : "recurring",
            interval == null
                ? "null"
                : "{\"interval\": \"" + interval + "\", \"interval_count\": 1}",
            metadata);
  }

  /** From now on WireMock answers with the products and prices the first sync created. */
  private void rememberWhatStripeWasTold() {
    for (Map<String, String> product : posted("/v1/products")) {
      stripe.stubFor(
          get(urlEqualTo("/v1/products/" + product.get("id")))
              .atPriority(1)
              .willReturn(
                  okJson(
                      """
                      {"id": "%s", "object": "product", "active": true, "name": "%s",
                       "created": 1773100800, "livemode": false, "metadata": {}}"""
                          .formatted(product.get("id"), product.get("name")))));
      List<String> prices = new ArrayList<>();
      for (Map<String, String> p : posted("/v1/prices")) {
        if (p.get("product").equals(product.get("id"))) {
          prices.add(price(p, "price_" + p.get("lookup_key"), p.get("unit_amount")));
        }
      }
      stripe.stubFor(
          get(urlPathEqualTo("/v1/prices"))
              .withQueryParam("product", equalTo(product.get("id")))
              .atPriority(1)
              .willReturn(okJson(list(String.join(",", prices)))));
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.textValue()));
    return texts;
  }

  @Test
  void theFirstSyncCreatesEachProductAndPriceOnce_theSecondKeepsThemAll() {
    Answer first = sync();

    assertEquals(200, first.status(), first.toString());
    List<String> created = texts(first.body().get("created"));
    assertTrue(
        created.containsAll(
            List.of(
                "ss_plan_free_usd",
                "ss_plan_pro_usd",
                "ss_plan_pro_vnd",
                "ss_plan_enterprise_vnd")),
        created.toString());
    assertEquals(List.of(), texts(first.body().get("kept")));
    assertEquals(created.size(), posted("/v1/prices").size());
    assertTrue(
        posted("/v1/products")
            .contains(
                Map.of("id", "ss_plan_pro", "name", "Professional", "metadata[plan_id]", "pro")),
        posted("/v1/products").toString());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/products"))
            .withHeader("Idempotency-Key", equalTo("ss-catalog-product-ss_plan_pro")));
    Map<String, String> pro =
        posted("/v1/prices").stream()
            .filter(p -> "ss_plan_pro_usd".equals(p.get("lookup_key")))
            .findFirst()
            .orElseThrow();
    assertEquals(
        Map.of(
            "product", "ss_plan_pro",
            "currency", "usd",
            "unit_amount", "2999",
            "lookup_key", "ss_plan_pro_usd",
            "recurring[interval]", "month",
            "tax_behavior", "exclusive",
            "metadata[plan_id]", "pro"),
        pro);
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/prices"))
            .withHeader(
                "Idempotency-Key",
                equalTo("ss-catalog-ss_plan_pro_usd-2999-month-exclusive-after-none")));

    rememberWhatStripeWasTold();
    stripe.resetRequests();
    Answer second = sync();

    assertEquals(200, second.status(), second.toString());
    assertEquals(List.of(), texts(second.body().get("created")));
    assertEquals(List.of(), texts(second.body().get("replaced")));
    assertEquals(List.of(), texts(second.body().get("products_created")));
    assertEquals(created, texts(second.body().get("kept")));
    stripe.verify(0, postRequestedFor(urlPathMatching("/v1/.*")));
  }

  @Test
  void aPriceChangedSinceIsReplacedUnderItsLookupKey_theOldOneDeactivated_aRenamedProductRenamed() {
    sync();
    rememberWhatStripeWasTold();
    Map<String, String> proUsd =
        posted("/v1/prices").stream()
            .filter(p -> "ss_plan_pro_usd".equals(p.get("lookup_key")))
            .findFirst()
            .orElseThrow();
    Map<String, String> proVnd =
        posted("/v1/prices").stream()
            .filter(p -> "ss_plan_pro_vnd".equals(p.get("lookup_key")))
            .findFirst()
            .orElseThrow();
    // at Stripe: Pro at 19.99 USD under an old name (the config says 29.99, Professional)
    stripe.stubFor(
        get(urlPathEqualTo("/v1/prices"))
            .withQueryParam("product", equalTo("ss_plan_pro"))
            .atPriority(1)
            .willReturn(
                okJson(
                    list(
                        price(proUsd, "price_pro_old", "1999")
                            + ","
                            + price(proVnd, "price_pro_vnd", "750000")))));
    stripe.stubFor(
        get(urlEqualTo("/v1/products/ss_plan_pro"))
            .atPriority(1)
            .willReturn(
                okJson(
                    """
                    {"id": "ss_plan_pro", "object": "product", "active": true, "name": "Pro",
                     "created": 1773100800, "livemode": false, "metadata": {}}""")));
    stripe.resetRequests();

    Answer second = sync();

    assertEquals(200, second.status(), second.toString());
    assertEquals(List.of("ss_plan_pro_usd"), texts(second.body().get("replaced")));
    assertEquals(List.of("ss_plan_pro"), texts(second.body().get("products_renamed")));
    assertEquals(List.of(), texts(second.body().get("created")));
    List<Map<String, String>> created = posted("/v1/prices");
    assertEquals(1, created.size());
    assertEquals("true", created.get(0).get("transfer_lookup_key"));
    assertEquals("ss_plan_pro_usd", created.get(0).get("lookup_key"));
    assertEquals("2999", created.get(0).get("unit_amount"));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/prices"))
            .withHeader(
                "Idempotency-Key",
                equalTo("ss-catalog-ss_plan_pro_usd-2999-month-exclusive-after-price_pro_old")));
    assertEquals(List.of(Map.of("active", "false")), posted("/v1/prices/price_pro_old"));
    assertEquals(List.of(Map.of("name", "Professional")), posted("/v1/products/ss_plan_pro"));
  }

  @Test
  void onlyThePlatformAdminSyncs_andNotWhileStripeIsOff() {
    Answer owner = billing.call(HttpMethod.POST, "/admin/stripe/sync-catalog", user("dan"), "{}");
    assertEquals(403, owner.status());

    try (BillingHarness off = new BillingHarness(at("2026-03-10T00:00:00Z"), "{}")) {
      Answer answer = off.call(HttpMethod.POST, "/admin/stripe/sync-catalog", admin("root"), "{}");
      assertEquals(409, answer.status());
      assertEquals("stripe_disabled", answer.body().at("/error/code").asText());
    }
    assertEquals(0, stripe.getAllServeEvents().size());
  }
}
