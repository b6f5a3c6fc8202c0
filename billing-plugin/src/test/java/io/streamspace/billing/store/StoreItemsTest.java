package io.streamspace.billing.store;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's items through its routes: a creator submits a bundle, checked before anything is
 * stored; it waits for the platform admin, who approves, rejects or delists it for a reason the
 * audit trail keeps; the catalog lists approved items only; versions only grow.
 */
class StoreItemsTest {

  private static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));
  private static final Caller ROOT = admin("root");

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer submit(Caller caller, byte[] bundle) {
    return billing.call(HttpMethod.POST, "/store/items", caller, bundle, "application/zip");
  }

  private Answer review(String action, long itemId, String body) {
    return billing.call(HttpMethod.POST, "/admin/store/items/" + itemId + "/" + action, ROOT, body);
  }

  private List<String> catalogNames() {
    List<String> names = new ArrayList<>();
    billing
        .call(HttpMethod.GET, "/store/items", user("ann"))
        .body()
        .get("items")
        .forEach(item -> names.add(item.get("name").asText() + " " + item.get("version").asText()));
    return names;
  }

  private static long versions() {
    return (Long) value("SELECT count(*) FROM billing_store_item_versions");
  }

  @Test
  void aCreatorsBundleWaitsForReview_andTheCatalogListsItOnceApproved() {
    Answer submitted = submit(CARA, ThemeBundles.good("Midnight", "1.0.0"));

    assertEquals(201, submitted.status(), submitted.body().toString());
    JsonNode item = submitted.body();
    assertEquals("pending_review", item.get("status").asText());
    assertEquals("cara", item.get("creator_id").asText());
    assertEquals(new BigDecimal("4.99"), item.at("/price/USD").decimalValue());
    assertEquals(new BigDecimal("120000"), item.at("/price/VND").decimalValue());
    assertEquals("one_time", item.get("sale_kind").asText());
    assertEquals(List.of(), catalogNames(), "nothing is listed before review");

    Answer approved =
        review("approve", item.get("id").asLong(), "{\"reason\": \"meets the rules\"}");

    assertEquals(200, approved.status(), approved.body().toString());
    assertEquals("approved", approved.body().get("status").asText());
    assertEquals("root", approved.body().get("reviewed_by").asText());
    assertEquals(List.of("Midnight 1.0.0"), catalogNames());
  }

  @Test
  void aBundleBreakingRulesIsRefusedNamingEachRule_andNothingIsStored() {
    Answer refused = submit(CARA, ThemeBundles.breakingTwoRules());

    assertEquals(422, refused.status(), refused.body().toString());
    assertEquals("bundle_refused", refused.body().at("/error/code").asText());
    List<String> rules = new ArrayList<>();
    refused.body().get("violations").forEach(v -> rules.add(v.get("rule").asText()));
    assertTrue(rules.contains("contrast"), rules.toString());
    assertTrue(rules.contains("external_url"), rules.toString());
    assertEquals(0L, versions());
    assertEquals(0L, (Long) value("SELECT count(*) FROM billing_store_items"));
  }

  @Test
  void onlyACreatorSubmits_andOnlyAZip() {
    Answer byUser = submit(user("ann"), ThemeBundles.good("Midnight", "1.0.0"));
    Answer notZip =
        billing.call(
            HttpMethod.POST,
            "/store/items",
            CARA,
            ThemeBundles.good("Midnight", "1.0.0"),
            "application/json");

    assertEquals(403, byUser.status());
    assertEquals(415, notZip.status());
    assertEquals(0L, versions());
  }

  @Test
  void aNewVersionWaitsForTheLastReview_andMustBeNewerThanEveryVersionBefore() {
    long id = submit(CARA, ThemeBundles.good("Midnight", "1.0.0")).body().get("id").asLong();

    assertEquals(
        "review_pending",
        submit(CARA, ThemeBundles.good("Midnight", "1.1.0")).body().at("/error/code").asText());
    review("approve", id, "{\"reason\": \"ok\"}");
    assertEquals(
        "version_exists",
        submit(CARA, ThemeBundles.good("Midnight", "1.0.0")).body().at("/error/code").asText());
    assertEquals(
        "version_not_newer",
        submit(CARA, ThemeBundles.good("Midnight", "0.9.9")).body().at("/error/code").asText());
    Answer newer = submit(CARA, ThemeBundles.good("Midnight", "1.1.0"));

    assertEquals(201, newer.status(), newer.body().toString());
    assertEquals(id, newer.body().get("id").asLong(), "a version of the same item");
    assertEquals(2L, versions());
    assertEquals(
        List.of("Midnight 1.0.0"), catalogNames(), "the catalog keeps the last approved version");
  }

  @Test
  void aRejectionNeedsAReason_whichTheCreatorReads_andTheTrailKeeps() {
    long id = submit(CARA, ThemeBundles.good("Midnight", "1.0.0")).body().get("id").asLong();

    assertEquals("reason", review("reject", id, "{}").errorField());
    Answer rejected =
        review("reject", id, "{\"reason\": \"the preview shows another creator's logo\"}");

    assertEquals(200, rejected.status(), rejected.body().toString());
    JsonNode mine = billing.call(HttpMethod.GET, "/creator/items", CARA).body();
    assertEquals("rejected", mine.at("/items/0/status").asText());
    assertEquals(
        "the preview shows another creator's logo", mine.at("/items/0/reject_reason").asText());
    assertEquals(
        List.of(
            List.of(
                "admin",
                "root",
                "store_item.rejected",
                "store_item:" + id,
                "the preview shows another creator's logo")),
        rows(
            "SELECT actor_type, actor_id, kind, subject, reason FROM billing_audit_entries"
                + " WHERE kind LIKE 'store_item.%'"));
  }

  @Test
  void aDelistedItemLeavesTheCatalog_andTakesNoNewVersion() {
    long id = submit(CARA, ThemeBundles.good("Midnight", "1.0.0")).body().get("id").asLong();
    review("approve", id, "{\"reason\": \"ok\"}");

    Answer delisted = review("delist", id, "{\"reason\": \"a buyer found a copied font\"}");

    assertEquals(200, delisted.status(), delisted.body().toString());
    assertEquals(List.of(), catalogNames());
    assertEquals(
        "item_delisted",
        submit(CARA, ThemeBundles.good("Midnight", "2.0.0")).body().at("/error/code").asText());
    assertEquals(
        "already_delisted",
        review("delist", id, "{\"reason\": \"again\"}").body().at("/error/code").asText());
  }

  @Test
  void onlyThePlatformAdminReviews_andSeesTheQueue() {
    long id = submit(CARA, ThemeBundles.good("Midnight", "1.0.0")).body().get("id").asLong();

    assertEquals(
        403,
        billing
            .call(
                HttpMethod.POST,
                "/admin/store/items/" + id + "/approve",
                CARA,
                "{\"reason\": \"mine\"}")
            .status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/store/queue", CARA).status());
    JsonNode queue = billing.call(HttpMethod.GET, "/admin/store/queue", ROOT).body();
    assertEquals(1, queue.get("items").size());
    assertEquals("pending_review", queue.at("/items/0/status").asText());
    assertEquals(404, review("approve", 999_999, "{\"reason\": \"x\"}").status());
  }
}
