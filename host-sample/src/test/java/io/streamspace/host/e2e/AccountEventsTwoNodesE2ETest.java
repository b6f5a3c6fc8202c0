package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts with the packaged billing plugin on one database, each running check-quotas at every
 * step, one of them restarted: a suspension after the grace, its resumption, and a one-time pack's
 * expiring and expired notices are each published once in all (docs/billing-rules.md, "Suspension
 * over a hard limit" and "Packs"). Zoe, on the free plan, stores 2.5 GB (over its 2 GB hard limit)
 * with a grace of one day; she buys a 30-day job-slot pack the day she is suspended.
 */
class AccountEventsTwoNodesE2ETest {

  private static final Instant GRACE_ENDS = Instant.parse("2026-03-11T12:00:00Z");
  private static final Instant PACK_ENDS = GRACE_ENDS.plusSeconds(30 * 86_400);

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));

  @Test
  void suspensionResumptionAndPackNoticesArePublishedOnceAcrossTwoNodesAndARestart()
      throws Exception {
    TwoBillingNodes nodes = new TwoBillingNodes(work, MigratedDatabases.freshDatabaseUrl(), clock);
    try (BillingHost a = nodes.start()) {
      // set before the second node starts, so it loads the same config
      a.api
          .http
          .call(
              "PATCH",
              "/api/admin/plugins/billing/config",
              a.api.adminToken,
              HostClient.json(Map.of("autoSuspendOnOverage", true, "gracePeriodDays", 1)),
              HostClient.CONFIG_REASON)
          .expect(200);
      BillingHost b = nodes.start();
      try {
        String zoe = "zoe-" + UUID.randomUUID();
        String zoeToken = a.api.token(zoe, "user");
        a.api.postEvents(
            a.api.token("platform", "platform"),
            List.of(
                Events.userCreated(zoe, Instant.parse("2026-03-10T11:50:00Z")),
                Events.sessionCreated(
                    "s-" + zoe, zoe, Instant.parse("2026-03-10T11:55:00Z"), "0.5", "1", "2.5")));
        a.api.awaitCaughtUp("billing");
        nodes.runOnBothNodes("check-quotas", a, b); // over since noon

        clock.set(GRACE_ENDS);
        nodes.runOnBothNodes("check-quotas", a, b);
        nodes.runOnBothNodes("check-quotas", a, b);
        b.api.http.post("/api/plugins/billing/packs/slots-5/purchase", zoeToken, "{}").expect(201);

        assertEquals(1, events(nodes, "billing.account.suspended", zoe, a, b));
        assertEquals(0, events(nodes, "billing.account.resumed", zoe, a, b));

        b.api
            .http
            .put(
                "/api/plugins/billing/subscription",
                zoeToken,
                HostClient.json(Map.of("plan_id", "pro")))
            .expect(200);
        nodes.runOnBothNodes("check-quotas", a, b);

        assertEquals(1, events(nodes, "billing.account.resumed", zoe, a, b));

        clock.set(PACK_ENDS.minusSeconds(86_400)); // within the 3 days' notice
        nodes.runOnBothNodes("check-quotas", a, b);
        nodes.stop(b);
        b = nodes.start();
        nodes.runOnBothNodes("check-quotas", a, b);
        clock.set(PACK_ENDS);
        nodes.runOnBothNodes("check-quotas", a, b);
        nodes.runOnBothNodes("check-quotas", a, b);

        assertEquals(1, events(nodes, "billing.account.suspended", zoe, a, b));
        assertEquals(1, events(nodes, "billing.account.resumed", zoe, a, b));
        assertEquals(1, events(nodes, "billing.pack.expiring", zoe, a, b));
        assertEquals(1, events(nodes, "billing.pack.expired", zoe, a, b));
      } finally {
        b.close();
      }
    }
  }

  /** How many events of that type about the user all nodes published. */
  private static long events(TwoBillingNodes nodes, String type, String user, BillingHost... on) {
    List<JsonNode> payloads = nodes.published(type, on);
    return payloads.stream().filter(p -> p.get("user_id").asText().equals(user)).count();
  }
}
