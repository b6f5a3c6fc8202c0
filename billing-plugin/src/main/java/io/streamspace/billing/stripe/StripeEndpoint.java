package io.streamspace.billing.stripe;

import com.stripe.Stripe;
import java.time.Duration;

/**
 * Where the Stripe API is and how long a call may wait for it. Production uses {@link #STRIPE};
 * tests point the plugin at a local server that answers like Stripe.
 *
 * @param apiBase                the API's base URL, without a trailing slash
 * @param connectTimeout         how long opening a connection may take
 * @param readTimeout            how long an answer may take once connected, for the collection
 *                               queue (a job thread)
 * @param interactiveReadTimeout the same for a route a person waits on (an HTTP worker thread)
 */
public record StripeEndpoint(
    String apiBase,
    Duration connectTimeout,
    Duration readTimeout,
    Duration interactiveReadTimeout) {

  /** How long a route a person waits on lets Stripe take to answer, at most. */
  static final Duration INTERACTIVE_READ_TIMEOUT = Duration.ofSeconds(8);

  /**
   * Stripe's own API: 10 s to connect, 30 s to answer the queue, 8 s to answer a route (a call is
   * retried after either).
   */
  public static final StripeEndpoint STRIPE =
      new StripeEndpoint(Stripe.LIVE_API_BASE, Duration.ofSeconds(10), Duration.ofSeconds(30));

  /**
   * The JVM system property naming another API base with Stripe's timeouts, for tests and local
   * emulators (stripe-mock, WireMock) only; unset or blank, the plugin calls {@link #STRIPE}.
   */
  public static final String API_BASE_PROPERTY = "streamspace.billing.stripeApiBase";

  /** An endpoint whose routes wait {@code readTimeout} too, unless longer than 8 s. */
  public StripeEndpoint(String apiBase, Duration connectTimeout, Duration readTimeout) {
    this(
        apiBase,
        connectTimeout,
        readTimeout,
        readTimeout.compareTo(INTERACTIVE_READ_TIMEOUT) < 0
            ? readTimeout
            : INTERACTIVE_READ_TIMEOUT);
  }

  /** {@link #STRIPE}, or the API base {@link #API_BASE_PROPERTY} names when it is set. */
  public static StripeEndpoint fromSystemProperties() {
    String base = System.getProperty(API_BASE_PROPERTY, "").strip();
    if (base.isEmpty()) {
      return STRIPE;
    }
    String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return new StripeEndpoint(
        trimmed, STRIPE.connectTimeout(), STRIPE.readTimeout(), STRIPE.interactiveReadTimeout());
  }
}
