package io.streamspace.billing.packs;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing.pack.expiring} and {@code billing.pack.expired}, sent by check-quotas on two
 * nodes. Ann and Bob each buy a 5-slot pack (one-time, 30 days) on March 10 at 12:05: it ends on
 * April 9 at 12:05, so with the default notice of 3 days it is expiring from April 6 12:05.
 */
class PackNoticesTest {

  private static final String BOUGHT = "2026-03-10T12:05:00Z";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));
  private final TestPluginContext thereHost = new TestPluginContext(billing.clock);
  private final BillingExtension there = new BillingExtension();

  @AfterEach
  void unload() {
    there.onUnload(thereHost);
    billing.close();
  }

  private long buy(String userId) {
    return billing
        .call(HttpMethod.POST, "/packs/slots-5/purchase", user(userId), "{}")
        .body()
        .get("id")
        .asLong();
  }

  /** check-quotas at {@code now} here, then again here and on the other node. */
  private void checkTwiceOnTwoNodes(String now) {
    billing.runAt("check-quotas", now);
    billing.runAt("check-quotas", now);
    thereHost.scheduler().run("check-quotas");
  }

  private List<String> packNotices() {
    List<String> notices = new ArrayList<>(packNotices(billing.context));
    notices.addAll(packNotices(thereHost));
    return notices;
  }

  private static List<String> packNotices(TestPluginContext host) {
    return host.published().stream()
        .filter(e -> e.startsWith("billing.pack.expir"))
        .map(e -> e.replaceAll("\"pack_name\":\"[^\"]*\",", ""))
        .toList();
  }

  private static String notice(String event, String userId, long id, String validUntil) {
    return ("billing.pack.%s {\"user_id\":\"%s\",\"purchase_id\":%d,\"pack_id\":\"slots-5\","
            + "\"valid_until\":\"%s\"}")
        .formatted(event, userId, id, validUntil);
  }

  @Test
  void expiringNDaysBefore_expiredAtTheEnd_eachOnceAcrossReRunsAndTwoNodes() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(at(BOUGHT));
    long ann = buy("ann");
    there.onLoad(thereHost);

    checkTwiceOnTwoNodes("2026-04-06T12:04:59Z");
    List<String> aSecondBefore = packNotices();
    checkTwiceOnTwoNodes("2026-04-06T12:05:00Z");
    List<String> expiring = packNotices();
    checkTwiceOnTwoNodes("2026-04-09T12:04:59Z");
    List<String> aSecondBeforeTheEnd = packNotices();
    checkTwiceOnTwoNodes("2026-04-09T12:05:00Z");

    assertEquals(List.of(), aSecondBefore);
    assertEquals(List.of(notice("expiring", "ann", ann, "2026-04-09T12:05:00Z")), expiring);
    assertEquals(expiring, aSecondBeforeTheEnd);
    assertEquals(
        List.of(
            notice("expiring", "ann", ann, "2026-04-09T12:05:00Z"),
            notice("expired", "ann", ann, "2026-04-09T12:05:00Z")),
        packNotices());
    assertEquals(
        List.of("bought at 2026-03-10T12:05:00Z", "expired at 2026-04-09T12:05:00Z"),
        BillingHarness.rows(
                "SELECT kind, at FROM billing_pack_events WHERE purchase_id = ? ORDER BY id", ann)
            .stream()
            .map(r -> r.get(0) + " at " + ((Timestamp) r.get(1)).toInstant())
            .toList());
  }

  @Test
  void aRenewalBeforeTheEndMeansNoExpired_andANewExpiringForTheNewEnd() {
    billing.userCreated("bob", Map.of());
    billing.flush();
    billing.clock.set(at(BOUGHT));
    long bob = buy("bob");
    there.onLoad(thereHost);
    checkTwiceOnTwoNodes("2026-04-07T09:00:00Z");
    billing.clock.set(at("2026-04-08T09:00:00Z"));
    assertEquals(
        200,
        billing.call(HttpMethod.POST, "/purchases/" + bob + "/renew", user("bob"), "{}").status());

    checkTwiceOnTwoNodes("2026-04-09T12:05:00Z");
    List<String> atTheFirstEnd = packNotices();
    checkTwiceOnTwoNodes("2026-05-06T12:05:00Z");

    assertEquals(List.of(notice("expiring", "bob", bob, "2026-04-09T12:05:00Z")), atTheFirstEnd);
    assertEquals(
        List.of(
            notice("expiring", "bob", bob, "2026-04-09T12:05:00Z"),
            notice("expiring", "bob", bob, "2026-05-09T12:05:00Z")),
        packNotices());
  }
}
