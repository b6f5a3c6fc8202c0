package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A spending limit with {@code block} over HTTP with the packaged billing plugin
 * (docs/billing-rules.md, "Spending limits"). The session runs 2 cores and 4 GB from 10:00 at the
 * default USD rates: 2 × 0.05 + 4 × 0.01 = 0.14 USD an hour. The limit is 0.28 USD; calculate-usage
 * at 12:10 rates 10:00-12:00 (2 hours, 0.28 USD), so the limit is reached at 12:10 and the session
 * suspended by the check-quotas run at 12:25 (the default 15-minute notice), not by the one a
 * second before; raising the limit resumes it at once.
 */
class SpendingLimitE2ETest extends BillingHostTestBase {

  private static final String LIMIT = "/api/plugins/billing/spending-limit";
  private static final String DETAIL =
      "Spending limit of $0.28 reached at 2026-03-10T12:10:00Z (this period's estimated"
          + " cost: $0.28). Raise the limit or make it warn only to resume.";

  @Test
  void aBlockingLimitSuspendsTheSessionAfterTheNotice_andRaisingItResumesIt() {
    String ann = newUser("ann");
    String session = "s-" + ann;
    String annToken = api.token(ann, "user");
    clock.set(at("12:10"));
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, at("09:50")),
            Events.sessionCreated(session, ann, at("10:00"), "2", "4", "0"),
            Events.heartbeat(session, ann, at("12:05"))));
    api.awaitCaughtUp("billing");
    api.http
        .put(LIMIT, annToken, "{\"amount\": 0.28, \"warn_at_percent\": 50, \"action\": \"block\"}")
        .expect(200);

    api.runJob("calculate-usage");
    JsonNode reached = api.http.get(LIMIT, annToken).expect(200);
    assertEquals("reached", reached.get("state").asText());
    assertEquals("0.28", reached.at("/estimate/usage").decimalValue().toPlainString());
    assertEquals("2026-03-10T12:25:00Z", reached.get("blocks_at").asText());

    clock.set(Instant.parse("2026-03-10T12:24:59Z"));
    api.runJob("check-quotas");
    assertTrue(suspendedReason(session).isNull(), "a second before the notice ends");
    clock.set(at("12:25"));
    api.runJob("check-quotas");
    assertEquals(DETAIL, suspendedReason(session).asText());
    JsonNode refused = api.admission(platformToken, ann);
    assertFalse(refused.get("allowed").asBoolean());
    assertEquals("spending_limit_reached", refused.get("code").asText());

    JsonNode raised =
        api.http.put(LIMIT, annToken, "{\"amount\": 1, \"action\": \"block\"}").expect(200);

    assertEquals("ok", raised.get("state").asText());
    assertTrue(suspendedReason(session).isNull(), "resumed at once");
    assertEquals(1, published("billing.spend.warning", ann));
    assertEquals(1, published("billing.spend.reached", ann));
    assertEquals(1, published("billing.account.suspended", ann));
    assertEquals(1, published("billing.account.resumed", ann));
  }
}
