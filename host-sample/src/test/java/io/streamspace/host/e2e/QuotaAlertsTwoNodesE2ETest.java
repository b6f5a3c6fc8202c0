package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts with the packaged billing plugin on one database, each running check-quotas again and
 * again, at once, and one of them restarted: each quota alert is published once in all, on
 * whichever node ran the job (docs/billing-rules.md, "Quota states and alerts"). Ivy is on the free
 * plan, whose bandwidth allows 5 GB a month: the warning is at 4 GB (80 %).
 */
class QuotaAlertsTwoNodesE2ETest {

  private static final String WARNING = "billing.quota.warning";
  private static final String EXCEEDED = "billing.quota.exceeded";

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));

  @Test
  void eachQuotaAlertIsPublishedOnceAcrossReRunsTwoNodesAndARestart() throws Exception {
    TwoBillingNodes nodes = new TwoBillingNodes(work, MigratedDatabases.freshDatabaseUrl(), clock);
    try (BillingHost a = nodes.start()) {
      BillingHost b = nodes.start();
      try {
        String platform = a.api.token("platform", "platform");
        String ivy = "ivy-" + UUID.randomUUID();
        a.api.postEvents(
            platform,
            List.of(
                Events.userCreated(ivy, at("11:50")),
                Events.usageReported(ivy, "bandwidth_gb", "4.2", at("11:55"))));
        a.api.awaitCaughtUp("billing");

        nodes.runOnBothNodes("check-quotas", a, b);

        assertOneAlert(nodes.published(WARNING, a, b), ivy, "4.2", "84.00");
        assertEquals(List.of(), nodes.published(EXCEEDED, a, b));

        a.api.postEvents(
            platform, List.of(Events.usageReported(ivy, "bandwidth_gb", "1.3", at("11:58"))));
        a.api.awaitCaughtUp("billing");
        nodes.runOnBothNodes("check-quotas", a, b);

        assertOneAlert(nodes.published(WARNING, a, b), ivy, "4.2", "84.00");
        assertOneAlert(nodes.published(EXCEEDED, a, b), ivy, "5.5", "110.00");

        nodes.stop(b);
        b = nodes.start();
        nodes.runOnBothNodes("check-quotas", a, b);

        assertOneAlert(nodes.published(WARNING, a, b), ivy, "4.2", "84.00");
        assertOneAlert(nodes.published(EXCEEDED, a, b), ivy, "5.5", "110.00");
      } finally {
        b.close();
      }
    }
  }

  /** One alert of Ivy's bandwidth against the free plan's hard 5 GB, this March. */
  private static void assertOneAlert(
      List<JsonNode> alerts, String user, String used, String percent) {
    assertEquals(1, alerts.size(), alerts.toString());
    JsonNode alert = alerts.get(0);
    Set<String> fields = new HashSet<>();
    alert.fieldNames().forEachRemaining(fields::add);
    assertEquals(
        Set.of("user_id", "meter", "used", "limit", "percent", "kind", "period_start"), fields);
    assertEquals(user, alert.get("user_id").asText());
    assertEquals("bandwidth_gb", alert.get("meter").asText());
    assertDecimal(used, alert.get("used"));
    assertDecimal("5", alert.get("limit"));
    assertDecimal(percent, alert.get("percent"));
    assertEquals("hard", alert.get("kind").asText());
    assertEquals("2026-03-01T00:00:00Z", alert.get("period_start").asText());
  }

  private static void assertDecimal(String expected, JsonNode actual) {
    assertTrue(actual.isNumber(), actual.toString());
    assertEquals(0, new BigDecimal(expected).compareTo(actual.decimalValue()), actual.toString());
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-10T" + time + ":00Z");
  }
}
