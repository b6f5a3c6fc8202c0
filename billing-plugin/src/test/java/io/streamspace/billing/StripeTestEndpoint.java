package io.streamspace.billing;

import io.streamspace.billing.payments.stripe.StripeEndpoint;

/** The test seam of the Stripe calls: points a loaded extension at a local server. */
public final class StripeTestEndpoint {

  private StripeTestEndpoint() {}

  public static void pointAt(BillingExtension billing, StripeEndpoint endpoint) {
    billing.stripeEndpoint(endpoint);
  }
}
