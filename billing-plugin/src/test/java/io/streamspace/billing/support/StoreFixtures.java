package io.streamspace.billing.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Set;

/** Store items put on sale through the routes: submitted by a creator, approved by an admin. */
public final class StoreFixtures {

  /** The creator who submits the fixtures' bundles. */
  public static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));

  private StoreFixtures() {}

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
