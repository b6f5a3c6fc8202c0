package io.streamspace.billing.store;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.BillingHarness.Text;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /store/items/{id}/preview}: the preview image of what the catalog lists, for any
 * signed-in caller, with the type its checked image has; nothing of a version not approved, of a
 * delisted item, or of a bundle without a preview. {@code GET /admin/store/items/{id}/preview}:
 * the platform admin's view of the version waiting for review.
 */
class StorePreviewsTest {

  private static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));
  private static final Caller ROOT = admin("root");

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private long submitted(byte[] bundle) {
    Answer answer = billing.call(HttpMethod.POST, "/store/items", CARA, bundle, "application/zip");
    assertEquals(201, answer.status(), answer.body().toString());
    return answer.body().get("id").asLong();
  }

  private void review(String action, long id) {
    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/store/items/" + id + "/" + action,
            ROOT,
            "{\"reason\": \"checked\"}");
    assertEquals(200, answer.status(), answer.body().toString());
  }

  private Text preview(long id, Caller caller) {
    return billing.text("/store/items/" + id + "/preview", caller);
  }

  @Test
  void aListedItemsPreviewIsServedToAnySignedInCaller_asTheImageItsBundleHolds() {
    long id = submitted(ThemeBundles.goodWithPreview("Midnight", "1.0.0"));
    review("approve", id);

    Text image = preview(id, user("ann"));

    assertEquals(200, image.status(), image.body());
    assertEquals("image/svg+xml", image.contentType());
    assertEquals(ThemeBundles.PREVIEW_SVG, image.body());
    assertEquals("nosniff", image.headers().get("X-Content-Type-Options"));
    assertEquals(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        image.headers().get("Content-Security-Policy"));
  }

  @Test
  void aVersionWaitingForReviewShowsNoPreview_norDoesADelistedItem_norASignedOutCaller() {
    long id = submitted(ThemeBundles.goodWithPreview("Midnight", "1.0.0"));

    assertEquals(404, preview(id, user("ann")).status(), "waiting for review");
    review("approve", id);
    assertEquals(401, preview(id, Caller.ANONYMOUS).status());
    review("delist", id);
    assertEquals(404, preview(id, user("ann")).status(), "delisted");
  }

  @Test
  void anApprovedItemWhoseBundleHasNoPreview_orNoItem_answers404() {
    long id = submitted(ThemeBundles.good("Plain", "1.0.0"));
    review("approve", id);

    assertEquals(404, preview(id, user("ann")).status());
    assertEquals(404, preview(999_999, user("ann")).status());
  }

  @Test
  void thePlatformAdminSeesThePreviewOfTheVersionWaitingForReview_andOnlyWhileItWaits() {
    long id = submitted(ThemeBundles.goodWithPreview("Midnight", "1.0.0"));
    String path = "/admin/store/items/" + id + "/preview";

    Text image = billing.text(path, ROOT);

    assertEquals(200, image.status(), image.body());
    assertEquals("image/svg+xml", image.contentType());
    assertEquals(ThemeBundles.PREVIEW_SVG, image.body());
    assertEquals(403, billing.text(path, CARA).status(), "the creator is not the admin");
    review("approve", id);
    assertEquals(404, billing.text(path, ROOT).status(), "nothing waits for review any more");
  }
}
