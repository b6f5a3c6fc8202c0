package io.streamspace.billing.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe's webhook signature, computed here with the JDK as Stripe documents it (not with
 * stripe-java, which the plugin verifies with): {@code t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<payload>")>}; and the Event around the objects Stripe sends.
 */
public final class StripeSigning {

  private StripeSigning() {}

  /** An Event as Stripe sends it, around {@code object} (its {@code data.object}). */
  public static String event(String id, String type, Instant created, String object) {
    return """
        {"id": "%s", "object": "event", "api_version": "2024-06-20", "created": %d,
         "data": {"object": %s}, "livemode": false, "pending_webhooks": 1,
         "request": {"id": null, "idempotency_key": null}, "type": "%s"}"""
        .formatted(id, created.getEpochSecond(), object, type);
  }

  /**
   * A {@code *.updated} Event as Stripe sends it: around {@code object}, with the members the
   * update changed and their values before ({@code data.previous_attributes}).
   */
  public static String updated(
      String id, String type, Instant created, String object, String previousAttributes) {
    return """
        {"id": "%s", "object": "event", "api_version": "2024-06-20", "created": %d,
         "data": {"object": %s, "previous_attributes": %s}, "livemode": false,
         "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null}, "type": "%s"}"""
        .formatted(id, created.getEpochSecond(), object, previousAttributes, type);
  }

  /**
   * Delivers the event to {@code POST /webhook} as Stripe does, signed with {@code secret} at the
   * harness's clock: answered 200.
   */
  public static Answer delivered(BillingHarness billing, String secret, String payload) {
    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/webhook",
            Caller.ANONYMOUS,
            payload,
            Map.of("stripe-signature", header(secret, billing.clock.instant(), payload)));
    assertEquals(200, answer.status(), answer.toString());
    return answer;
  }

  public static String header(String secret, Instant at, String payload) {
    long t = at.getEpochSecond();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((t + "." + payload).getBytes(StandardCharsets.UTF_8));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
