package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /quota} over HTTP with the packaged billing plugin, read right after the platform's
 * 202: on the node that consumes the journal the batch is stored before the answer, and the quota
 * is read from what is stored (docs/billing-rules.md, "How fresh the figures are").
 */
class QuotaE2ETest extends BillingHostTestBase {

  @Test
  void aQuotaReadRightAfterThe202CountsThatBatch() {
    String zoe = newUser("zoe");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(zoe, at("11:50")),
            Events.sessionCreated("s-" + zoe, zoe, at("11:55"), "1.5", "3", "0"),
            Events.usageReported(zoe, "bandwidth_gb", "4.2", at("11:56"))));

    JsonNode quota = api.http.get("/api/plugins/billing/quota", api.token(zoe, "user")).expect(200);

    // the free plan: 2 active sessions (hard), 5 GB of bandwidth a month, 80 % warns
    assertMeter(quota, "cpu_cores", "1.5", null);
    assertMeter(quota, "memory_gb", "3", null);
    assertMeter(quota, "active_sessions", "1", "ok");
    assertMeter(quota, "bandwidth_gb", "4.2", "warning");
  }

  private static void assertMeter(JsonNode quota, String meter, String used, String state) {
    for (JsonNode row : quota.get("meters")) {
      if (row.get("meter").asText().equals(meter)) {
        assertEquals(0, new BigDecimal(used).compareTo(row.get("used").decimalValue()), row + "");
        if (state != null) {
          assertEquals(state, row.get("state").asText(), row.toString());
        }
        return;
      }
    }
    throw new AssertionError("no " + meter + " in " + quota);
  }
}
