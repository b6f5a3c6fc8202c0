package io.streamspace.billing.stripe;

import com.stripe.StripeClient;

/**
 * The interactive stripe-java client ({@link StripeClients#interactiveApi}) as code outside this
 * package holds it: a handle a route passes back to the gateway's calls ({@link
 * StripeCheckout}, {@link StripeCatalog}, {@link StripeCustomers#customerOf(String, StripeApi)}),
 * so that a route asks for the client once, refuses when there is none, and never names a
 * stripe-java type.
 */
public final class StripeApi {

  private final StripeClient client;

  StripeApi(StripeClient client) {
    this.client = client;
  }

  StripeClient client() {
    return client;
  }
}
