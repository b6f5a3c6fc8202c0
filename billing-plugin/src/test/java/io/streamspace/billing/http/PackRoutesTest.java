package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.packs.ActivePack;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.packs.PackPurchases.Refused;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pack routes through the registered handlers, on real PostgreSQL: the catalog in each
 * account's currency, purchases, renewals and cancellations with their refusals and
 * authorization, the history, and which purchases are active when. Default catalog, USD and VND.
 */
class PackRoutesTest {

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-01T00:00:00Z"), BillingHarness.USD_AND_VND_CONFIG);

  @BeforeEach
  void accounts() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer post(String path, Caller caller, String body) {
    return billing.call(HttpMethod.POST, path, caller, body);
  }

  private Answer buy(String pack, Caller caller) {
    return post("/packs/" + pack + "/purchase", caller, "{}");
  }

  private static long purchases() {
    return (Long) value("SELECT count(*) FROM billing_pack_purchases");
  }

  @Test
  void theCatalogIsPricedInTheAccountsCurrency_eachMeterAddedWithItsNameAndUnit() {
    Answer usd = billing.call(HttpMethod.GET, "/packs", user("ann"));
    Answer vnd = billing.call(HttpMethod.GET, "/packs?user_id=thu", admin("root"));

    assertEquals(200, usd.status());
    assertEquals(
        """
        {"id":"slots-5","name":"5 job slots","kind":"one_time","adds":{"active_sessions":5},\
        "added":[{"meter":"active_sessions","name":"Active sessions","unit":"session",\
        "amount":5}],"price":5.00,"valid_days":30}""",
        usd.body().get("packs").get(0).toString());
    assertEquals(
        """
        {"id":"storage-10","name":"10 GB storage","kind":"recurring","adds":{"storage_gb":10},\
        "added":[{"meter":"storage_gb","name":"Storage","unit":"GB","amount":10}],\
        "price":2.00,"valid_days":null}""",
        usd.body().get("packs").get(4).toString());
    assertEquals(6, usd.body().get("packs").size());
    assertEquals("VND", vnd.body().get("currency").asText());
    assertEquals("125000", vnd.body().at("/packs/0/price").toString());
    assertEquals(403, billing.call(HttpMethod.GET, "/packs?user_id=ann", user("bob")).status());
    assertEquals(
        404, billing.call(HttpMethod.GET, "/packs?user_id=nobody", admin("root")).status());
  }

  @Test
  void aPurchaseIsStoredAsBoughtAnsweredWith201AndPublishedOnce() {
    Answer bought = buy("slots-5", user("ann"));

    assertEquals(201, bought.status());
    assertEquals(
        """
        {"user_id":"ann","pack_id":"slots-5","pack_name":"5 job slots","kind":"one_time",\
        "adds":{"active_sessions":5},"price":5.00,"currency":"USD","valid_days":30,\
        "purchased_at":"2026-03-10T00:00:00Z","valid_from":"2026-03-10T00:00:00Z",\
        "valid_until":"2026-04-09T00:00:00Z","cancelled_at":null,"refunded_at":null,\
        "active":true,\
        "history":[{"kind":"bought","at":"2026-03-10T00:00:00Z","amount":5.00,\
        "valid_from":"2026-03-10T00:00:00Z","valid_until":"2026-04-09T00:00:00Z",\
        "invoice_id":null,"paid":false}]}""",
        withoutId(bought));
    List<String> published = billing.context.published();
    assertEquals(1, published.size());
    assertTrue(published.get(0).startsWith("billing.pack.purchased {\"id\":"), published.get(0));
    assertTrue(published.get(0).contains("\"pack_id\":\"slots-5\""), published.get(0));
  }

  private static String withoutId(Answer answer) {
    return answer.body().toString().replaceFirst("^\\{\"id\":[0-9]+,", "{");
  }

  @Test
  void anAdminBuysForAUserAndAUserOnlyForThemselves() {
    Answer forThu = post("/packs/slots-20/purchase", admin("root"), "{\"user_id\": \"thu\"}");
    Answer forAnn = post("/packs/slots-20/purchase", user("bob"), "{\"user_id\": \"ann\"}");

    assertEquals(201, forThu.status());
    assertEquals("thu", forThu.body().get("user_id").asText());
    assertEquals("450000", forThu.body().get("price").toString());
    assertEquals("VND", forThu.body().get("currency").asText());
    assertEquals(403, forAnn.status());
    assertEquals(1, purchases());
  }

  @Test
  void refusedPurchasesStoreNothing() {
    assertEquals(404, buy("slots-7", user("ann")).status());
    assertEquals(
        404, post("/packs/slots-5/purchase", admin("root"), "{\"user_id\": \"nobody\"}").status());
    Answer notJson = post("/packs/slots-5/purchase", user("ann"), "slots");
    assertEquals(400, notJson.status());
    assertEquals("invalid_json", notJson.body().at("/error/code").asText());
    Answer badUser = post("/packs/slots-5/purchase", user("ann"), "{\"user_id\": 7}");
    assertEquals("user_id", badUser.errorField());
    assertEquals(0, purchases());
    assertEquals(List.of(), billing.context.published());
  }

  @Test
  void aOneTimePackRenewedBeforeItEndsGetsItsNextValidityAfterTheCurrentOneChargedAgain() {
    long id = buy("slots-5", user("ann")).body().get("id").asLong();
    billing.clock.set(at("2026-04-01T00:00:00Z"));

    Answer renewed = post("/purchases/" + id + "/renew", user("ann"), null);

    assertEquals(200, renewed.status());
    assertEquals("2026-03-10T00:00:00Z", renewed.body().get("valid_from").asText());
    assertEquals("2026-05-09T00:00:00Z", renewed.body().get("valid_until").asText());
    assertEquals(
        """
        {"kind":"renewed","at":"2026-04-01T00:00:00Z","amount":5.00,\
        "valid_from":"2026-04-09T00:00:00Z","valid_until":"2026-05-09T00:00:00Z",\
        "invoice_id":null,"paid":false}""",
        renewed.body().at("/history/1").toString());
    assertEquals(1, billing.context.published().size(), "a renewal is no new purchase");
  }

  @Test
  void renewingARecurringPackOrCancellingAOneTimeOneIsAConflict() {
    long slots = buy("slots-5", user("ann")).body().get("id").asLong();
    long storage = buy("storage-10", user("ann")).body().get("id").asLong();

    Answer renew = post("/purchases/" + storage + "/renew", user("ann"), null);
    Answer cancel = post("/purchases/" + slots + "/cancel", user("ann"), null);
    Answer cancelled = post("/purchases/" + storage + "/cancel", user("ann"), null);
    Answer again = post("/purchases/" + storage + "/cancel", user("ann"), null);

    assertEquals(409, renew.status());
    assertEquals("not_renewable", renew.body().at("/error/code").asText());
    assertEquals(409, cancel.status());
    assertEquals("not_cancellable", cancel.body().at("/error/code").asText());
    assertEquals(200, cancelled.status());
    assertEquals("2026-03-10T00:00:00Z", cancelled.body().get("cancelled_at").asText());
    assertEquals(false, cancelled.body().get("active").asBoolean());
    assertEquals(409, again.status());
    assertEquals("already_cancelled", again.body().at("/error/code").asText());
  }

  @Test
  void anotherUsersPurchaseIsNotFoundUnlessAdmin() {
    long id = buy("slots-5", user("ann")).body().get("id").asLong();

    assertEquals(404, post("/purchases/" + id + "/renew", user("bob"), null).status());
    assertEquals(404, post("/purchases/" + (id + 1) + "/renew", user("ann"), null).status());
    assertEquals(404, post("/purchases/x/renew", user("ann"), null).status());
    assertEquals(200, post("/purchases/" + id + "/renew", admin("root"), null).status());
  }

  @Test
  void thePurchasesAreListedNewestFirstWithTheirHistoryInPages() {
    buy("slots-5", user("ann"));
    billing.clock.set(at("2026-03-11T00:00:00Z"));
    long storage = buy("storage-10", user("ann")).body().get("id").asLong();
    post("/purchases/" + storage + "/cancel", user("ann"), null);
    buy("slots-5", user("bob"));

    Answer first = billing.call(HttpMethod.GET, "/purchases?limit=1", user("ann"));
    Answer second = billing.call(HttpMethod.GET, "/purchases?limit=1&offset=1", user("ann"));

    assertEquals("storage-10", first.body().at("/purchases/0/pack_id").asText());
    assertEquals(
        List.of("bought", "cancelled"),
        first.body().at("/purchases/0/history").findValuesAsText("kind"));
    assertEquals("2.00", first.body().at("/purchases/0/history/0/amount").toString());
    assertEquals(1, first.body().get("next_offset").asInt());
    assertEquals("slots-5", second.body().at("/purchases/0/pack_id").asText());
    assertTrue(second.body().get("next_offset").isNull());
    assertEquals(403, billing.call(HttpMethod.GET, "/purchases?user_id=ann", user("bob")).status());
    assertEquals(400, billing.call(HttpMethod.GET, "/purchases?limit=0", user("ann")).status());
  }

  /**
   * slots-5 bought March 10 (valid to April 9), expired, renewed April 20 (to May 20); storage-10
   * bought March 10, cancelled April 25.
   */
  @Test
  void thePacksActiveAtAnInstantAreThoseWithinAValidityOrRunningUncancelled() throws SQLException {
    long slots = buy("slots-5", user("ann")).body().get("id").asLong();
    long storage = buy("storage-10", user("ann")).body().get("id").asLong();
    billing.clock.set(at("2026-04-20T00:00:00Z"));
    post("/purchases/" + slots + "/renew", user("ann"), null);
    billing.clock.set(at("2026-04-25T00:00:00Z"));
    post("/purchases/" + storage + "/cancel", user("ann"), null);
    PackPurchases packs =
        new PackPurchases(TestDatabase.dataSource(), purchase -> {}, purchase -> {});

    assertEquals(List.of(), ids(packs, "2026-03-09T23:59:59Z"));
    assertEquals(List.of(slots, storage), ids(packs, "2026-03-10T00:00:00Z"));
    assertEquals(List.of(slots, storage), ids(packs, "2026-04-08T23:59:59Z"));
    assertEquals(List.of(storage), ids(packs, "2026-04-09T00:00:00Z"));
    assertEquals(List.of(slots, storage), ids(packs, "2026-04-20T00:00:00Z"));
    assertEquals(List.of(slots), ids(packs, "2026-04-25T00:00:00Z"));
    assertEquals(List.of(), ids(packs, "2026-05-20T00:00:00Z"));
    assertEquals(
        List.of(Map.of(Meter.ACTIVE_SESSIONS, new BigDecimal("5"))),
        packs.activeAt("ann", at("2026-05-01T00:00:00Z")).stream().map(ActivePack::adds).toList());
    assertEquals(List.of(), packs.activeAt("bob", at("2026-04-20T00:00:00Z")));
  }

  /**
   * A purchase priced in a currency the account no longer has (read before a late user.created
   * changed it) is refused in its transaction, under the account's row, and nothing is stored.
   */
  @Test
  void aPurchasePricedInACurrencyTheAccountNoLongerHasIsRefused() throws SQLException {
    PackPurchases packs =
        new PackPurchases(TestDatabase.dataSource(), purchase -> {}, purchase -> {});
    CapacityPack slots = BillingConfig.defaults().pack("slots-20").orElseThrow();

    Refused refused =
        assertThrows(
            Refused.class,
            () ->
                packs.buy(
                    "thu",
                    slots,
                    Currency.getInstance("USD"),
                    billing.clock.instant(),
                    io.streamspace.billing.audit.Cause.platform()));

    assertEquals("currency_changed", refused.code());
    assertEquals(0L, purchases());
  }

  private static List<Long> ids(PackPurchases packs, String instant) throws SQLException {
    return packs.activeAt("ann", at(instant)).stream().map(ActivePack::purchaseId).toList();
  }
}
