package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.object;

/** The bodies and answers of {@link StripeWebhookRoutes}'s routes, declared for its operations. */
final class StripeWebhookRoutesSchemas {

  private StripeWebhookRoutesSchemas() {}

  static final Schema STRIPE_EVENT =
      Schema.component("StripeEvent", object().description("a Stripe event, as Stripe signs it"));
}
