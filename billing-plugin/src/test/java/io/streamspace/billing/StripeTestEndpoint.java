package io.streamspace.billing;

import io.streamspace.billing.stripe.StripeEndpoint;
import java.time.Duration;

/** The test seam of the Stripe calls: points a loaded extension at a local server. */
public final class StripeTestEndpoint {

  private StripeTestEndpoint() {}

  public static void pointAt(BillingExtension billing, StripeEndpoint endpoint) {
    billing.stripeEndpoint(endpoint);
  }

  /** Points it at a local server (WireMock) at {@code baseUrl}: 2 s to connect, Stripe's reads. */
  public static void pointAt(BillingExtension billing, String baseUrl) {
    pointAt(
        billing,
        new StripeEndpoint(
            baseUrl,
            Duration.ofSeconds(2),
            StripeEndpoint.STRIPE.readTimeout(),
            StripeEndpoint.STRIPE.interactiveReadTimeout()));
  }
}
