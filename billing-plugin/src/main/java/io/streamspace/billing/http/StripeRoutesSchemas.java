package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

/** The bodies and answers of {@link StripeRoutes}'s routes, declared for its operations. */
final class StripeRoutesSchemas {

  private StripeRoutesSchemas() {}

  static final Schema CHECKOUT =
      Schema.component(
          "Checkout", object().req("checkout_url", string()).req("session_id", string()));

  static final Schema CHECKOUT_REQUEST =
      Schema.component(
          "CheckoutRequest",
          object()
              .description("exactly one of plan_id, pack_id, store_item_id and top_up")
              .prop("plan_id", string())
              .prop(
                  "promotion_code",
                  string()
                      .description(
                          """
                          with plan_id only: a promotion code, checked now and redeemed when the \
                          session completes; in subscription mode the session's discount at \
                          Stripe"""))
              .prop("pack_id", string())
              .req("success_url", string())
              .req("cancel_url", string())
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string())
              .prop(
                  "store_item_id",
                  integer()
                      .description(
                          """
                          a store item on sale, bought at its price once the session completes \
                          paid"""))
              .prop(
                  "top_up",
                  object()
                      .req("amount", number())
                      .req("currency", string())
                      .description(
                          """
                          money onto the organization's prepaid balance, in its currency, \
                          credited net of tax once the session completes paid""")));

  static final Schema PAYMENT_METHODS =
      Schema.component(
          "PaymentMethods",
          object()
              .req(
                  "payment_methods",
                  array(
                      object()
                          .req("type", string())
                          .req("brand", string().orNull())
                          .req("last4", string().orNull())
                          .req("exp_month", integer().orNull())
                          .req("exp_year", integer().orNull())
                          .req("default", bool()))));

  static final Schema PORTAL = Schema.component("Portal", object().req("portal_url", string()));

  static final Schema PORTAL_REQUEST =
      Schema.component(
          "PortalRequest",
          object()
              .req("return_url", string())
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string()));
}
