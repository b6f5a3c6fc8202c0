package io.streamspace.billing.http;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.subscription.CatalogPrices;
import io.streamspace.billing.stripe.StripeCatalog;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.util.function.Supplier;

/**
 * {@code POST /admin/stripe/sync-catalog}: the platform admin brings Stripe's Products and
 * Prices in step with the plans and packs of the config ({@link StripeCatalog}).
 */
public final class StripeCatalogRoutes {

  private final StripeClients clients;
  private final Supplier<BillingConfig> config;

  public StripeCatalogRoutes(StripeClients clients, Supplier<BillingConfig> config) {
    this.clients = clients;
    this.config = config;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/admin/stripe/sync-catalog", JsonRoute.of(this::sync));
  }

  /**
   * 200 with what was done: {@code {"products_created","products_renamed","created","kept",
   * "replaced"}} (product ids; prices' lookup keys). 403 for a caller not the platform admin; 409
   * {@code stripe_disabled} / {@code stripe_not_configured}; 502 {@code stripe_error}.
   */
  StripeCatalog.Outcome sync(HttpRequest request) throws Exception {
    Access.admin(request);
    BillingConfig current = config.get();
    var stripe = StripeRoutes.stripe(current, clients);
    try {
      return StripeCatalog.sync(
          stripe, CatalogPrices.of(current, current.taxBehavior().configName()));
    } catch (StripeFailure e) {
      throw StripeRoutes.stripeFailed(e);
    }
  }
}
