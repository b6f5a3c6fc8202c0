package io.streamspace.host.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature scheme of webhook deliveries, as Stripe's: the header {@value #HEADER} reads
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, keyed with the UTF-8 bytes of
 * the endpoint's secret. The timestamp lets a receiver refuse old replays of a captured request.
 */
public final class WebhookSignature {

  public static final String HEADER = "X-StreamSpace-Signature";
  static final String SECRET_PREFIX = "whsec_";
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new endpoint secret: {@code whsec_} and 256 random bits, base64url. */
  static String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The header's value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, String body) {
    return "t=" + unixSeconds + ",v1=" + hmacHex(secret, unixSeconds + "." + body);
  }

  /** Hex HMAC-SHA256 of {@code signed} keyed with {@code secret}'s UTF-8 bytes. */
  public static String hmacHex(String secret, String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
