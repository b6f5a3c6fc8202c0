package io.streamspace.billing.stripe;

import java.time.Instant;

/**
 * A {@code Stripe-Signature} header read strictly before stripe-java sees it: {@code
 * t=<unix seconds>,v1=<signature>[,v1=…][,v0=…]}, every item {@code key=value}, exactly one
 * {@code t} of 1 to 12 digits and at least one {@code v1} (stripe-java compares the
 * signatures). stripe-java's own reading throws
 * unchecked exceptions on such input ({@code t=abc} a {@code NumberFormatException}, an item
 * {@code t} without {@code =} an index error), which would answer 500; and of two {@code t} it
 * takes the first, so a header with two is refused here as ambiguous. Keys other than {@code t}
 * and {@code v1} (Stripe's {@code v0} test scheme, any later one) are allowed and ignored.
 *
 * <p>Also the other half of the tolerance: stripe-java refuses a timestamp older than the
 * tolerance but accepts any in the future, so {@link #within} checks |now − t| ≤ tolerance.
 */
public record StripeSignatureHeader(Instant timestamp) {

  /** 12 digits reach the year 33658: no Stripe timestamp has more, and 20 overflow a long. */
  private static final String SECONDS = "[0-9]{1,12}";

  /**
   * Why a header is refused, in words for the log (never the header itself: it is the caller's
   * text, and may hold anything).
   */
  public static final class Malformed extends Exception {
    private Malformed(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The header read; {@link Malformed} says why it cannot be. */
  public static StripeSignatureHeader parse(String header) throws Malformed {
    if (header == null || header.isEmpty()) {
      throw new Malformed("it is missing or empty");
    }
    String seconds = null;
    boolean signed = false;
    for (String item : header.split(",", -1)) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new Malformed("an item is not key=value");
      }
      String key = item.substring(0, eq);
      String value = item.substring(eq + 1);
      if (key.equals("t")) {
        if (seconds != null) {
          throw new Malformed("it has more than one t");
        }
        seconds = value;
      } else if (key.equals("v1") && !value.isEmpty()) {
        signed = true;
      }
    }
    if (seconds == null) {
      throw new Malformed("it has no t");
    }
    if (!seconds.matches(SECONDS)) {
      throw new Malformed("its t is not a time in seconds of at most 12 digits");
    }
    if (!signed) {
      throw new Malformed("it has no v1 signature");
    }
    return new StripeSignatureHeader(Instant.ofEpochSecond(Long.parseLong(seconds)));
  }

  /** Whether the timestamp is at most {@code toleranceSeconds} from {@code now}, either way. */
  public boolean within(Instant now, long toleranceSeconds) {
    return Math.abs(now.getEpochSecond() - timestamp.getEpochSecond()) <= toleranceSeconds;
  }
}
