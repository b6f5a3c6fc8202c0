package io.streamspace.billing.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Instant;
import java.util.Set;

/** Store items put on sale through the routes: submitted by a creator, approved by an admin. */
public final class StoreFixtures {

  /** The creator who submits the fixtures' bundles. */
  public static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));

  private StoreFixtures() {}

  /**
   * The {@code checkout.session.completed} of ann's session {@code cs_store_1} for the item's
   * version, paid 499 cents USD by {@code pi_store_1}, as Stripe sends it.
   */
  public static String checkoutCompleted(
      String eventId, Instant created, long itemId, long versionId) {
    String session =
        """
        {"id": "cs_store_1", "object": "checkout.session", "mode": "payment",
         "status": "complete", "payment_status": "paid", "client_reference_id": "ann",
         "customer": "cus_ann", "currency": "usd", "amount_subtotal": 499, "amount_total": 499,
         "created": 1773307800, "expires_at": 1773394200, "livemode": false,
         "payment_intent": "pi_store_1", "payment_method_types": ["card"],
         "setup_intent": null, "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "ann", "kind": "store", "store_item_id": "%d",
                      "store_version_id": "%d", "bought_by": "ann"}}"""
            .formatted(itemId, versionId);
    return StripeSigning.event(eventId, "checkout.session.completed", created, session);
  }

  /** Submits the bundle as {@link #CARA} and approves it as a platform admin: its item's id. */
  public static long listed(BillingHarness billing, byte[] bundle) {
    Answer submitted =
        billing.call(HttpMethod.POST, "/store/items", CARA, bundle, "application/zip");
    assertEquals(201, submitted.status(), submitted.toString());
    long id = submitted.body().get("id").asLong();
    Answer approved =
        billing.call(
            HttpMethod.POST,
            "/admin/store/items/" + id + "/approve",
            BillingHarness.admin("root"),
            "{\"reason\": \"meets the rules\"}");
    assertEquals(200, approved.status(), approved.toString());
    return id;
  }
}
