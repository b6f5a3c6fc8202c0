package io.streamspace.billing.stripe;

import com.stripe.Stripe;
import java.time.Duration;

/**
 * Where the Stripe API is and how long a call may wait for it. Production uses {@link #STRIPE};
 * tests point the plugin at a local server that answers like Stripe.
 *
 * @param apiBase        the API's base URL, without a trailing slash
 * @param connectTimeout how long opening a connection may take
 * @param readTimeout    how long an answer may take once connected
 */
public record StripeEndpoint(String apiBase, Duration connectTimeout, Duration readTimeout) {

  /** Stripe's own API: 10 s to connect, 30 s to answer (a call is retried after either). */
  public static final StripeEndpoint STRIPE =
      new StripeEndpoint(Stripe.LIVE_API_BASE, Duration.ofSeconds(10), Duration.ofSeconds(30));

  /**
   * The JVM system property naming another API base with Stripe's timeouts, for tests and local
   * emulators (stripe-mock, WireMock) only; unset or blank, the plugin calls {@link #STRIPE}.
   */
  public static final String API_BASE_PROPERTY = "streamspace.billing.stripeApiBase";

  /** {@link #STRIPE}, or the API base {@link #API_BASE_PROPERTY} names when it is set. */
  public static StripeEndpoint fromSystemProperties() {
    String base = System.getProperty(API_BASE_PROPERTY, "").strip();
    if (base.isEmpty()) {
      return STRIPE;
    }
    String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return new StripeEndpoint(trimmed, STRIPE.connectTimeout(), STRIPE.readTimeout());
  }
}
