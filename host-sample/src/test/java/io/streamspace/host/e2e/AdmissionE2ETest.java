package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.support.HostClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/platform/admission} with the packaged billing plugin: a session past a hard
 * limit of the account's plan, by what is open plus its requested size, is refused with the
 * meter's code, a reason and the plan and pack that would allow it, from the sessions the plugin
 * was handed; limits changed through the config apply to the next admission. On a prepaid plan
 * a session's hold is reserved from the prepaid balance, and refused with the top-ups that would
 * allow it when the balance is short.
 */
class AdmissionE2ETest extends BillingHostTestBase {

  private static final String CONFIG = "/api/admin/plugins/billing/config";

  private JsonNode admission(String user) {
    return api.admission(platformToken, user);
  }

  /**
   * A user on the free plan (2 active sessions, hard) with two sessions open, started minutes
   * before the host's clock: within the heartbeat timeout, so still open at every reload.
   */
  private String userWithTwoSessions(String name) {
    String user = newUser(name);
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(user, at("11:50")),
            Events.sessionCreated("s1-" + user, user, at("11:55"), "0.5", "1", "0"),
            Events.sessionCreated("s2-" + user, user, at("11:56"), "0.5", "1", "0")));
    api.awaitCaughtUp("billing");
    return user;
  }

  @Test
  void aThirdSessionOnTheFreePlanIsRefused_andAllowedOnceOneTerminates() {
    String ann = userWithTwoSessions("ann");

    JsonNode refused = admission(ann);

    assertFalse(refused.get("allowed").asBoolean(), refused.toString());
    assertEquals("active_sessions_limit", refused.get("code").asText());
    assertEquals(
        "Active sessions limit reached: 2 sessions in use plus 1 for this session would pass the"
            + " hard limit of 2 sessions of the Hobby plan. The Pro plan would allow it, as would"
            + " the 5 job slots pack.",
        refused.get("reason").asText());
    assertEquals("pro", refused.get("upgrade").asText());
    assertEquals("slots-5", refused.get("pack").asText());
    assertEquals("billing", refused.get("plugin").asText());

    api.postEvents(platformToken, List.of(Events.sessionTerminated("s1-" + ann, ann, at("11:57"))));
    api.awaitCaughtUp("billing");

    assertTrue(admission(ann).get("allowed").asBoolean());
  }

  @Test
  void aSessionPastTheFreePlansCoresOrMemoryIsRefused_andAllowedOnceTheOpenOneTerminates() {
    String cid = newUser("cid");
    // one session of 1.5 of the free plan's 2 cores and 3 of its 4 GB
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(cid, at("11:50")),
            Events.sessionCreated("s1-" + cid, cid, at("11:55"), "1.5", "3", "0")));
    api.awaitCaughtUp("billing");

    JsonNode cores = api.admission(platformToken, cid, "1", "0.5");
    JsonNode memory = api.admission(platformToken, cid, "0.25", "2");
    JsonNode fits = api.admission(platformToken, cid, "0.5", "1");

    assertEquals("cpu_cores_limit", cores.get("code").asText(), cores.toString());
    assertEquals(
        "CPU limit reached: 1.5 cores in use plus 1 for this session would pass the hard limit"
            + " of 2 cores of the Hobby plan. The Pro plan would allow it.",
        cores.get("reason").asText());
    assertEquals("pro", cores.get("upgrade").asText());
    assertFalse(cores.has("pack"), "no pack adds cores: " + cores);
    assertEquals("memory_gb_limit", memory.get("code").asText(), memory.toString());
    assertEquals(
        "Memory limit reached: 3 GB in use plus 2 for this session would pass the hard limit"
            + " of 4 GB of the Hobby plan. The Pro plan would allow it.",
        memory.get("reason").asText());
    assertTrue(fits.get("allowed").asBoolean(), "exactly at both limits: " + fits);

    api.postEvents(platformToken, List.of(Events.sessionTerminated("s1-" + cid, cid, at("11:57"))));
    api.awaitCaughtUp("billing");

    assertTrue(api.admission(platformToken, cid, "1", "0.5").get("allowed").asBoolean());
    assertTrue(api.admission(platformToken, cid, "0.25", "2").get("allowed").asBoolean());
  }

  /**
   * The free plan's storage is 2 GB, hard. A session's storage_gb is the level it brings the
   * organization to: 3 GB asked with nothing stored is refused (max(0, 3) = 3 > 2), naming pro
   * (100 GB, 29.99 USD) and the storage-10 pack (2 + 10 = 12 GB, 2.00 USD); once a session reports
   * the 2 GB level, a session asking for those 2 GB is allowed (max(2, 2) = 2), 3 GB still not.
   */
  @Test
  void aSessionAskingForMoreStorageThanTheFreePlansHardLimitIsRefused_namingTheUpgradeAndPack() {
    String dee = newUser("dee");
    api.postEvents(platformToken, List.of(Events.userCreated(dee, at("11:50"))));
    api.awaitCaughtUp("billing");

    JsonNode refused = api.admission(platformToken, dee, "0.5", "1", "3");

    assertFalse(refused.get("allowed").asBoolean(), refused.toString());
    assertEquals("storage_gb_limit", refused.get("code").asText());
    assertEquals(
        "Storage limit reached: this session asks for 3 GB of storage, with 0 GB stored now,"
            + " over the hard limit of 2 GB of the Hobby plan. The Pro plan would allow it, as"
            + " would the 10 GB storage pack.",
        refused.get("reason").asText());
    assertEquals("pro", refused.get("upgrade").asText());
    assertEquals("storage-10", refused.get("pack").asText());
    assertEquals("billing", refused.get("plugin").asText());

    api.postEvents(
        platformToken,
        List.of(Events.sessionCreated("s1-" + dee, dee, at("11:55"), "0.5", "1", "2")));
    api.awaitCaughtUp("billing");

    JsonNode theLevelHeld = api.admission(platformToken, dee, "0.5", "1", "2");
    assertTrue(theLevelHeld.get("allowed").asBoolean(), theLevelHeld.toString());
    assertEquals(
        "storage_gb_limit",
        api.admission(platformToken, dee, "0.5", "1", "3").get("code").asText());
  }

  /**
   * A held meter limited by a plan, both configured over HTTP: the free plan allows 1 GPU, hard.
   * With a session holding 1 GPU open, a second asking for 1 is refused with {@code gpu_limit},
   * naming pro (which leaves GPUs unlimited); one asking for none is allowed; once the first
   * releases its GPU (a heartbeat with {@code "gpu": 0}), the second is allowed. The GPU meter
   * stays configured after (its usage is not invoiced yet); the plan's limit is put back.
   */
  @Test
  void aSecondGpuPastTheFreePlansHardGpuLimitIsRefused_gpuLimit_configuredOverHttp() {
    ObjectNode config = (ObjectNode) api.http.get(CONFIG, api.adminToken).expect(200);
    ObjectNode changed = config.deepCopy().retain("meters", "subscriptionPlans");
    ArrayNode meters = (ArrayNode) changed.get("meters");
    if (meters.findValuesAsText("id").stream().noneMatch("gpu"::equals)) {
      meters
          .addObject()
          .put("id", "gpu")
          .put("name", "GPU")
          .put("unit", "gpu")
          .put("kind", "held")
          .putObject("prices")
          .put("USD", 0.90)
          .put("VND", 22000);
    }
    ObjectNode free = (ObjectNode) changed.get("subscriptionPlans").get(0);
    assertEquals("free", free.get("id").asText());
    ((ObjectNode) free.get("limits")).putObject("gpu").put("limit", 1).put("kind", "hard");
    api.http
        .call("PATCH", CONFIG, api.adminToken, changed.toString(), HostClient.CONFIG_REASON)
        .expect(200);
    try {
      String gil = newUser("gil");
      api.postEvents(
          platformToken,
          List.of(
              Events.userCreated(gil, at("11:50")),
              Events.holdingGpus(
                  Events.sessionCreated("s1-" + gil, gil, at("11:55"), "0.5", "1", "0"), "1")));
      api.awaitCaughtUp("billing");

      JsonNode refused = api.admissionHolding(platformToken, gil, "1");
      assertEquals("gpu_limit", refused.get("code").asText(), refused.toString());
      assertEquals(
          "GPU limit reached: 1 gpu in use plus 1 for this session would pass the hard limit of 1"
              + " gpu of the Hobby plan. The Pro plan would allow it.",
          refused.get("reason").asText());
      assertEquals("pro", refused.get("upgrade").asText());
      assertTrue(admission(gil).get("allowed").asBoolean(), "a session holding no GPU");

      Map<String, Object> released =
          Events.holdingGpus(
              Events.sessionCreated("s1-" + gil, gil, at("11:57"), "0.5", "1", "0"), "0");
      released.put("type", "session.heartbeat");
      api.postEvents(platformToken, List.of(released));
      api.awaitCaughtUp("billing");
      assertTrue(api.admissionHolding(platformToken, gil, "1").get("allowed").asBoolean());
    } finally {
      ObjectNode plans = config.deepCopy().retain("subscriptionPlans");
      api.http
          .call("PATCH", CONFIG, api.adminToken, plans.toString(), HostClient.CONFIG_REASON)
          .expect(200);
    }
  }

  /**
   * The free plan's session limit raised from 2 to 3 through the config makes its next version:
   * cal, opened after, is on it and admitted a third session; bea, opened before, stays on the
   * version she is on and its limit of 2, as prices do (docs/changing-prices.md).
   */
  @Test
  void
      aLimitChangedThroughTheConfigAppliesToOrganizationsOpenedAfter_notToThoseOnAnEarlierVersion() {
    String bea = userWithTwoSessions("bea");
    assertEquals("active_sessions_limit", admission(bea).get("code").asText());
    ObjectNode config = (ObjectNode) api.http.get(CONFIG, api.adminToken).expect(200);
    ObjectNode plans = config.deepCopy().retain("subscriptionPlans");
    ObjectNode free = (ObjectNode) plans.get("subscriptionPlans").get(0);
    assertEquals("free", free.get("id").asText());
    ((ObjectNode) free.get("limits")).putObject("active_sessions").put("limit", 3);
    api.http
        .call("PATCH", CONFIG, api.adminToken, plans.toString(), HostClient.CONFIG_REASON)
        .expect(200);
    try {
      String cal = userWithTwoSessions("cal");
      assertTrue(admission(cal).get("allowed").asBoolean());
      JsonNode kept = admission(bea);
      assertEquals("active_sessions_limit", kept.get("code").asText(), kept.toString());
    } finally {
      ObjectNode before = config.deepCopy().retain("subscriptionPlans");
      api.http
          .call("PATCH", CONFIG, api.adminToken, before.toString(), HostClient.CONFIG_REASON)
          .expect(200);
    }
  }

  /**
   * Enterprise made prepaid over HTTP; kim on it, with 0.05 granted by an admin. A session of 2
   * cores and 4 GB holds 0.04 (0.14 an hour for 15 minutes, 0.035, rounded up): the first is
   * admitted (and asked again, admitted once), the second refused with insufficient_balance and
   * its top-ups as the answer's top_up; a refusal of a plan that is not prepaid carries none.
   */
  @Test
  void onAPrepaidPlanASessionIsAdmittedOnceItsHoldIsReserved_andRefusedWithTopUpsWhenShort() {
    ObjectNode config = (ObjectNode) api.http.get(CONFIG, api.adminToken).expect(200);
    ObjectNode plans = config.deepCopy().retain("subscriptionPlans");
    ObjectNode enterprise = (ObjectNode) plans.get("subscriptionPlans").get(2);
    assertEquals("enterprise", enterprise.get("id").asText());
    enterprise.put("prepaid", true);
    api.http
        .call("PATCH", CONFIG, api.adminToken, plans.toString(), HostClient.CONFIG_REASON)
        .expect(200);
    try {
      String kim = newUser("kim");
      api.postEvents(
          platformToken,
          List.of(Events.userCreated(kim, at("11:50"), Map.of("plan", "enterprise"))));
      api.awaitCaughtUp("billing");
      api.http
          .post(
              "/api/plugins/billing/admin/balance",
              api.adminToken,
              HostClient.json(
                  Map.of("org_id", kim, "amount", 0.05, "currency", "USD", "reason", "trial")))
          .expect(201);

      JsonNode first = api.admissionOf(platformToken, kim, "p1-" + kim, "2", "4");
      JsonNode again = api.admissionOf(platformToken, kim, "p1-" + kim, "2", "4");
      JsonNode second = api.admissionOf(platformToken, kim, "p2-" + kim, "2", "4");

      assertEquals("{\"allowed\":true}", first.toString());
      assertEquals(first, again);
      assertEquals("insufficient_balance", second.get("code").asText(), second.toString());
      assertTrue(
          second.get("reason").asText().contains("while $0.01 is available"), second.toString());
      assertEquals(
          "[{\"amount\":0.03,\"currency\":\"USD\",\"minutes\":15},"
              + "{\"amount\":0.13,\"currency\":\"USD\",\"minutes\":60}]",
          second.get("top_up").toString());
      JsonNode balance =
          api.http.get("/api/plugins/billing/balance?org_id=" + kim, api.adminToken).expect(200);
      assertEquals("0.04", balance.get("reserved").decimalValue().toPlainString());
      assertFalse(admission(userWithTwoSessions("lea")).has("top_up"), "Hobby is not prepaid");
    } finally {
      ObjectNode before = config.deepCopy().retain("subscriptionPlans");
      api.http
          .call("PATCH", CONFIG, api.adminToken, before.toString(), HostClient.CONFIG_REASON)
          .expect(200);
    }
  }
}
