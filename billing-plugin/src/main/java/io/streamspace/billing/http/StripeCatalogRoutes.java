package io.streamspace.billing.http;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.subscription.CatalogPrices;
import io.streamspace.billing.stripe.StripeCatalog;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.plugin.api.http.HttpRequest;
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

  public void register(DescribedRoutes routes) {
    routes.add(SYNC, JsonRoute.of(this::sync));
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

  // the descriptions of these routes

  static final Operation SYNC =
      Operation.post("/admin/stripe/sync-catalog")
          .admin()
          .summary("Sync the plans and packs to Stripe as Products and Prices")
          .description(
              """
              Who: admin. 409 stripe_disabled, stripe_not_configured.

              Brings Stripe's catalog in step with the config (docs/stripe.md, "The catalog at \
              Stripe"): a Product per plan (`ss_plan_<id>`) and pack (`ss_pack_<id>`), created \
              with that id when missing and renamed when its name changed; per currency it is \
              priced in, a Price found by its lookup key (`ss_plan_<id>_<currency>`, recurring at \
              the plan's interval; `ss_pack_<id>_<currency>`, one-time; `tax_behavior` from \
              `taxBehavior`, `exclusive` by default). A price whose amount, currency, recurrence \
              and tax behaviour match is kept; a changed one is created anew taking over the \
              lookup key (`transfer_lookup_key`) and the old one deactivated. Every creation \
              carries an idempotency key. → 200 \
              `{"products_created","products_renamed","created","kept","replaced"}` (product ids; \
              lookup keys); a second run with nothing changed keeps all. 409 `stripe_disabled` \
              while `stripeEnabled` is false, `stripe_not_configured` without `STRIPE_SECRET_KEY`; \
              502 `stripe_error` when Stripe still fails after its retry""")
          .answers(200, StripeCatalogRoutesSchemas.STRIPE_CATALOG_SYNC)
          .errors(409, 502);
}
