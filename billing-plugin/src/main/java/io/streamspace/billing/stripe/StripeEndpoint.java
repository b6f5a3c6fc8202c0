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
}
