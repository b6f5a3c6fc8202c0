package io.streamspace.billing.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe's webhook signature, computed here with the JDK as Stripe documents it (not with
 * stripe-java, which the plugin verifies with): {@code t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<payload>")>}.
 */
public final class StripeSigning {

  private StripeSigning() {}

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
