package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Admission refuses a session that would pass a hard limit of a held meter, by the same rule as
 * cores: a config adding a GPU meter ({@code "kind": "held"}), a free plan limiting it to 1 GPU
 * (hard), a pro plan to 4, and a pack gpu-1 adding 1 GPU (9.00 USD). Decided from memory by the
 * billing plugin that is handed the events, and from the database by {@code other}, a second
 * node's admission on the same database, after its reload ({@link Admission#refresh}, called
 * here: no waiting).
 */
class HeldAdmissionTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private static final String CONFIG =
      """
      {"meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
                  {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
                  {"id": "ai_queries"},
                  {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
                   "prices": {"USD": 0.90}}],
       "subscriptionPlans": [
         {"id": "free", "name": "Free", "price": 0, "interval": "month",
          "limits": {"gpu": {"limit": 1, "kind": "hard"}}},
         {"id": "pro", "name": "Pro", "price": 29.99, "interval": "month",
          "limits": {"gpu": {"limit": 4, "kind": "hard"}}}],
       "capacityPacks": [{"id": "gpu-1", "name": "1 GPU", "adds": {"gpu": 1},
         "prices": {"USD": 9}, "kind": "one_time", "valid_days": 30}]}""";

  private static final String REFUSED =
      "GPU limit reached: 1 gpu in use plus 1 for this session would pass the hard limit of 1 gpu"
          + " of the Free plan. The Pro plan would allow it, as would the 1 GPU pack.";

  private final BillingHarness billing = new BillingHarness(at(T0), CONFIG);
  private final BillingConfig config = AdmissionTest.config(CONFIG);
  private final MutableClock otherClock = new MutableClock(at(T0));
  private final Admission other =
      new Admission(
          TestDatabase.dataSource(),
          AdmissionTest.noHolds(TestDatabase.dataSource(), otherClock),
          () -> config,
          otherClock,
          AnotherNode.liveCosts(TestDatabase.dataSource(), () -> config, otherClock));

  @BeforeEach
  void alice() {
    billing.userCreated("alice", Map.of());
    billing.flush();
  }

  @AfterEach
  void close() {
    billing.close();
  }

  /** Half a core, 1 GB and {@code gpus} GPUs ({@code null}: no {@code resources} named). */
  private static ResourceSize size(String gpus) {
    return new ResourceSize(
        new BigDecimal("0.5"),
        BigDecimal.ONE,
        BigDecimal.ZERO,
        gpus == null ? Map.of() : Map.of("gpu", new BigDecimal(gpus)));
  }

  private static AdmissionRequest asking(String gpus) {
    return new AdmissionRequest("alice", null, size(gpus));
  }

  /** The decision of the plugin handed the events: from memory. */
  private AdmissionDecision asks(String gpus) {
    return billing.billing.admit(asking(gpus));
  }

  /** The decision of the other node, once reloaded from what the plugin stored. */
  private AdmissionDecision otherAsks(String gpus) throws SQLException {
    billing.flush();
    other.refresh();
    return other.admit(asking(gpus));
  }

  @Test
  void aSecondGpuIsRefusedWithGpuLimit_fromMemoryAndFromTheDatabase() throws Exception {
    billing.created(T0, "s1", "alice", size("1"));

    AdmissionDecision here = asks("1");
    AdmissionDecision there = otherAsks("1");

    for (AdmissionDecision refused : new AdmissionDecision[] {here, there}) {
      assertFalse(refused.allowed());
      assertEquals("gpu_limit", refused.code());
      assertEquals(REFUSED, refused.reason());
      assertEquals("pro", refused.upgrade());
      assertEquals("gpu-1", refused.pack());
    }
  }

  @Test
  void aSessionAskingForNoGpuIsAllowedAtTheGpuLimit() throws Exception {
    billing.created(T0, "s1", "alice", size("1"));

    assertTrue(asks(null).allowed());
    assertTrue(asks("0").allowed());
    assertTrue(otherAsks(null).allowed());
  }

  @Test
  void aHeartbeatWithoutResourcesKeepsTheGpuCounted_fromMemoryAndFromTheDatabase()
      throws Exception {
    billing.created(T0, "s1", "alice", size("1"));
    billing.heartbeat("2026-03-10T12:01:00Z", "s1", "alice", size(null));

    assertEquals("gpu_limit", asks("1").code());
    // the stored latest size names no GPU: the latest GPU row (12:00, 1) still counts
    assertEquals(REFUSED, otherAsks("1").reason());
  }

  @Test
  void aHeartbeatReleasingTheGpuAllowsTheNextOne_fromMemoryAndFromTheDatabase() throws Exception {
    billing.created(T0, "s1", "alice", size("1"));
    billing.heartbeat("2026-03-10T12:01:00Z", "s1", "alice", size("0"));

    assertTrue(asks("1").allowed());
    assertTrue(otherAsks("1").allowed());
  }

  @Test
  void onceTheSessionHoldingTheGpuEnds_aGpuIsAllowedAgain() throws Exception {
    billing.created(T0, "s1", "alice", size("1"));
    assertEquals("gpu_limit", asks("1").code());

    billing.terminated("2026-03-10T12:05:00Z", "s1", "alice");

    assertTrue(asks("1").allowed());
    assertTrue(otherAsks("1").allowed());
  }

  @Test
  void aPackAddingAGpuAdmitsTheSecond_butNotAThird() throws Exception {
    billing.created(T0, "s1", "alice", size("1"));
    assertEquals("gpu_limit", otherAsks("1").code());

    assertEquals(
        201, billing.call(HttpMethod.POST, "/packs/gpu-1/purchase", user("alice"), "{}").status());

    // 1 + the pack's 1 = 2 GPUs: 1 held + 1 asked fits, 1 + 2 does not
    assertTrue(asks("1").allowed());
    assertTrue(otherAsks("1").allowed());
    AdmissionDecision third = otherAsks("2");
    assertEquals("gpu_limit", third.code());
    assertEquals(
        "GPU limit reached: 1 gpu in use plus 2 for this session would pass the hard limit of 2"
            + " gpu of the Free plan with its packs. The Pro plan would allow it, as would the"
            + " 1 GPU pack.",
        third.reason());
  }
}
