package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.WebhookReceiver;
import io.streamspace.host.webhooks.WebhookDestinations;
import io.streamspace.host.webhooks.WebhookSignature;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged billing plugin's events reach the platform as webhooks, sent by the host's own
 * delivery schedule (every 5 seconds).
 */
class WebhooksE2ETest extends BillingHostTestBase {

  /** The platform's receiver listens on 127.0.0.1: the operator allows private destinations. */
  @Override
  Map<String, String> secrets() {
    return Map.of(WebhookDestinations.ALLOW_PRIVATE_ENV, "true");
  }

  @Test
  void aCreditGrantedReachesThePlatformSignedOnTheHostsOwnSchedule() throws Exception {
    String user = newUser("wendy");
    api.postEvents(platformToken, List.of(Events.userCreated(user, NOW.minusSeconds(3600))));
    try (WebhookReceiver platform = new WebhookReceiver()) {
      platform.arrived = new CountDownLatch(1);
      String secret =
          api.http
              .post(
                  "/api/admin/webhooks",
                  api.adminToken,
                  HostClient.json(
                      Map.of("url", platform.url("/billing"), "event_types", List.of("billing.*"))))
              .expect(201)
              .get("secret")
              .asText();

      JsonNode credit =
          api.http
              .post(
                  "/api/plugins/billing/admin/credits",
                  api.adminToken,
                  HostClient.json(Map.of("user_id", user, "amount", 10, "reason", "welcome")))
              .expect(201);

      assertTrue(platform.arrived.await(30, TimeUnit.SECONDS), "no webhook within 30 seconds");
      WebhookReceiver.Received got = platform.received.get(0);
      JsonNode body = HostClient.MAPPER.readTree(got.body());
      assertEquals("billing.credit.granted", body.get("type").asText());
      assertEquals("billing", body.get("source").asText());
      assertEquals(credit.get("id").asText(), body.get("payload").get("id").asText());
      assertEquals(user, body.get("payload").get("user_id").asText());
      String t = got.signature().substring(2, got.signature().indexOf(','));
      assertEquals(
          "v1=" + WebhookSignature.hmacHex(secret, t + "." + got.body()),
          got.signature().substring(got.signature().indexOf(',') + 1));
    }
  }
}
