package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.store.purchase.StoreRefused;
import io.streamspace.billing.stripe.StripeApi;
import io.streamspace.billing.stripe.StripeCheckout;
import io.streamspace.billing.stripe.StripeCheckout.CheckoutPage;
import io.streamspace.billing.stripe.StripeCheckout.ReturnUrls;
import io.streamspace.billing.stripe.StripeCheckout.SavedMethod;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeCustomers;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages Stripe hosts for an account: {@code POST /create-checkout} (a plan's payment method,
 * or its Stripe Subscription under {@code stripe_invoices}: {@link PlanCheckouts}; or a pack or a
 * store item paid once; or a top-up of the prepaid balance), {@code POST /portal} (the Customer
 * Portal) and {@code GET /payment-methods}. Each creates the account's Stripe customer at its
 * first call. While {@code stripeEnabled} is false they answer 409 {@code stripe_disabled}.
 */
public final class StripeRoutes {

  record CheckoutJson(String checkoutUrl, String sessionId) {}

  record PortalJson(String portalUrl) {}

  record PaymentMethodsJson(List<SavedMethod> paymentMethods) {}

  private static final Logger log = LoggerFactory.getLogger(StripeRoutes.class);

  private static final int BAD_GATEWAY = 502;

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final SubscriptionRepository subscriptions;
  private final StripeCustomers customers;
  private final StripeClients clients;
  private final ReadOnlyLock readOnlyLock;
  private final StorePurchases store;
  private final PlanCheckouts plans;
  private final Supplier<BillingConfig> config;

  public StripeRoutes(
      OrgAccess access,
      AccountRepository accounts,
      SubscriptionRepository subscriptions,
      StripeCustomers customers,
      StripeClients clients,
      ReadOnlyLock readOnlyLock,
      StorePurchases store,
      PlanCheckouts.Parts plans,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.subscriptions = subscriptions;
    this.customers = customers;
    this.clients = clients;
    this.readOnlyLock = readOnlyLock;
    this.store = store;
    this.plans = new PlanCheckouts(plans);
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(CHECKOUT, JsonRoute.of(this::checkout));
    routes.add(PORTAL, JsonRoute.of(this::portal));
    routes.add(PAYMENT_METHODS, JsonRoute.of(this::paymentMethods));
  }

  /**
   * {@code {"plan_id"|"pack_id"|"store_item_id"|"top_up","success_url","cancel_url","org_id"?}}:
   * 200 with the session. 400 naming the field: not exactly one of the four, a top-up's amount or
   * currency ({@link TopUpInputs}), an unknown plan or the current
   * one, an unknown pack, one not sold in the account's currency or a recurring one (billed on
   * the invoice each period, so paid through it), a URL missing or not https
   * (http to localhost and 127.0.0.1 aside). 423 while the account is locked for non-payment: a
   * plan change and a pack purchase are refused then as on their own routes. 409 {@code
   * amount_not_chargeable} for a pack whose price Stripe cannot take in the currency (1.005 BHD:
   * Stripe's last digit of a dinar is 0), never rounded; 409 {@code subscription_exists} for a
   * plan, in either mode, while the organization has a Stripe Subscription.
   */
  CheckoutJson checkout(HttpRequest request) throws Exception {
    Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    Currency currency = currencyOf(orgId);
    readOnlyLock.requireNotLocked(orgId);
    ReturnUrls urls =
        new ReturnUrls(
            CheckoutInputs.url(body, "success_url"), CheckoutInputs.url(body, "cancel_url"));
    int named =
        (body.has("plan_id") ? 1 : 0)
            + (body.has("pack_id") ? 1 : 0)
            + (body.has("store_item_id") ? 1 : 0)
            + (body.has("top_up") ? 1 : 0);
    if (named != 1) {
      throw ApiException.badParameter(
          "plan_id", "give one of plan_id, pack_id, store_item_id and top_up");
    }
    boolean plan = body.has("plan_id");
    if (!plan && body.has(PlanCheckouts.PROMOTION_CODE)) {
      throw ApiException.badParameter(
          PlanCheckouts.PROMOTION_CODE, "a promotion code goes with a plan_id only");
    }
    if (body.has("store_item_id")) {
      return storeItem(request, body, orgId, stripe, urls);
    }
    if (body.has("top_up")) {
      return topUp(body, orgId, currency, stripe, urls);
    }
    BillingConfig current = config.get();
    try {
      CheckoutPage page;
      if (plan) {
        String planId = Json.requiredText(body, "plan_id");
        SubscriptionPlan chosen =
            current
                .plan(planId)
                .orElseThrow(
                    () -> ApiException.badParameter("plan_id", "no plan \"" + planId + "\""));
        if (current.priceOf(chosen, currency).isEmpty()) {
          throw ApiException.badParameter(
              "plan_id", "the %s plan is not sold in %s".formatted(chosen.name(), currency));
        }
        String planThen = currentPlan(orgId);
        if (planId.equals(planThen)) {
          throw ApiException.badParameter("plan_id", "already on " + chosen.name());
        }
        PlanCheckouts.Promotion promotion = plans.promotion(body, orgId);
        String customer = customers.customerOf(orgId, stripe);
        PlanCheckouts.Then then =
            new PlanCheckouts.Then(planThen, readOnlyLock.lockedBecause(orgId).isPresent());
        page =
            plans.create(
                stripe,
                current,
                orgId,
                customer,
                chosen,
                currency,
                then,
                urls,
                checkoutTax(),
                promotion);
      } else {
        String packId = Json.requiredText(body, "pack_id");
        CapacityPack pack =
            current
                .pack(packId)
                .filter(p -> p.priceIn(currency).isPresent())
                .orElseThrow(() -> ApiException.badParameter("pack_id", "no pack " + packId));
        if (pack.kind() == CapacityPack.Kind.RECURRING) {
          // it is charged on the invoice each period it is active: a payment now would be a
          // second charge for its first period
          throw ApiException.badParameter(
              "pack_id",
              "pack "
                  + packId
                  + " renews each period and is billed on the invoice: buy it"
                  + " with POST /packs/"
                  + packId
                  + "/purchase");
        }
        BigDecimal price = pack.priceIn(currency).orElseThrow();
        CheckoutInputs.chargeable(price, currency);
        String customer = customers.customerOf(orgId, stripe);
        page =
            StripeCheckout.forPack(
                stripe, orgId, customer, pack, price, currency, urls, checkoutTax());
      }
      return new CheckoutJson(page.url(), page.sessionId());
    } catch (StripeFailure e) {
      throw stripeFailed(e);
    }
  }

  /** Stripe Tax on the session as the config says ({@code stripeTax}, {@code taxBehavior}). */
  private StripeCheckout.CheckoutTax checkoutTax() {
    BillingConfig current = config.get();
    return new StripeCheckout.CheckoutTax(current.stripeTax(), current.taxBehavior());
  }

  /**
   * A store item's session: its price in the account's currency, refused as a purchase on the
   * invoice is (400 naming {@code store_item_id} for an item not on sale; 409 {@code
   * already_owned}, {@code not_sold_in_currency}, {@code free}).
   */
  private CheckoutJson storeItem(
      HttpRequest request, JsonNode body, String orgId, StripeApi stripe, ReturnUrls urls)
      throws Exception {
    JsonNode id = body.get("store_item_id");
    if (!id.canConvertToLong() || !id.isIntegralNumber()) {
      throw ApiException.badParameter("store_item_id", "store_item_id must be an item's id");
    }
    StorePurchases.Quote quote;
    try {
      quote =
          store
              .quote(orgId, id.longValue())
              .orElseThrow(
                  () ->
                      ApiException.badParameter(
                          "store_item_id", "no store item " + id.longValue() + " on sale"));
    } catch (StoreRefused e) {
      throw ApiException.conflict(e.code(), e.getMessage(), Map.of());
    }
    CheckoutInputs.chargeable(quote.price(), quote.currency());
    try {
      String customer = customers.customerOf(orgId, stripe);
      CheckoutPage page =
          StripeCheckout.forStoreItem(
              stripe,
              orgId,
              customer,
              request.caller().userId(),
              new StripeCheckout.StoreItemPrice(
                  quote.itemId(),
                  quote.versionId(),
                  quote.itemName(),
                  quote.price(),
                  quote.currency()),
              urls,
              checkoutTax());
      return new CheckoutJson(page.url(), page.sessionId());
    } catch (StripeFailure e) {
      throw stripeFailed(e);
    }
  }

  /**
   * A top-up's session: {@code top_up.amount} in the organization's currency onto its prepaid
   * balance, checked ({@link TopUpInputs}) before Stripe is asked for anything.
   */
  private CheckoutJson topUp(
      JsonNode body, String orgId, Currency currency, StripeApi stripe, ReturnUrls urls)
      throws Exception {
    BigDecimal amount =
        TopUpInputs.checkoutAmount(body, currency, config.get().topUpLimit(currency));
    CheckoutInputs.chargeable(amount, currency);
    try {
      String customer = customers.customerOf(orgId, stripe);
      CheckoutPage page =
          StripeCheckout.forTopUp(stripe, orgId, customer, amount, currency, urls, checkoutTax());
      return new CheckoutJson(page.url(), page.sessionId());
    } catch (StripeFailure e) {
      throw stripeFailed(e);
    }
  }

  /**
   * {@code {"return_url","org_id"?}}: 200 {@code {"portal_url"}}. Not refused while locked:
   * the portal is where a card is fixed to pay.
   */
  PortalJson portal(HttpRequest request) throws Exception {
    Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    currencyOf(orgId);
    String returnUrl = CheckoutInputs.url(body, "return_url");
    try {
      String customer = customers.customerOf(orgId, stripe);
      return new PortalJson(StripeCheckout.portal(stripe, customer, returnUrl));
    } catch (StripeFailure e) {
      throw stripeFailed(e);
    }
  }

  /**
   * {@code ?org_id=}: the account's payment methods, none before it has a customer; {@code
   * default} the one collection charges (ours, else Stripe's invoice settings).
   */
  PaymentMethodsJson paymentMethods(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    currencyOf(orgId);
    var customer = customers.find(orgId);
    if (customer.isEmpty()) {
      return new PaymentMethodsJson(List.of());
    }
    try {
      String kept = customers.defaultPaymentMethod(orgId).orElse(null);
      return new PaymentMethodsJson(StripeCheckout.paymentMethods(stripe, customer.get(), kept));
    } catch (StripeFailure e) {
      throw stripeFailed(e);
    }
  }

  /**
   * The interactive client (a person waits: a short timeout, one retry), asked for once the
   * caller is authorized: 409 {@code stripe_disabled} while Stripe is off; 409 {@code
   * stripe_not_configured} while the host holds no secret key.
   */
  private StripeApi stripe() throws ApiException {
    return stripe(config.get(), clients);
  }

  /** {@link #stripe()} for routes of their own. */
  static StripeApi stripe(BillingConfig config, StripeClients clients) throws ApiException {
    if (!config.stripeEnabled()) {
      throw ApiException.conflict(
          "stripe_disabled", "payments through Stripe are not enabled", Map.of());
    }
    return clients
        .interactiveApi()
        .orElseThrow(
            () ->
                ApiException.conflict(
                    "stripe_not_configured",
                    "Stripe is enabled but the host holds no STRIPE_SECRET_KEY",
                    Map.of()));
  }

  private Currency currencyOf(String orgId) throws Exception {
    return accounts.find(orgId).orElseThrow(() -> ApiException.unknownUser(orgId)).currency();
  }

  private String currentPlan(String orgId) throws Exception {
    return subscriptions
        .find(orgId)
        .map(s -> s.current().planId())
        .orElseThrow(() -> ApiException.unknownUser(orgId));
  }

  /** 502 {@code stripe_error} once stripe-java's retry is spent; Stripe's detail is logged. */
  static ApiException stripeFailed(StripeFailure e) {
    log.warn("Stripe call failed (request {}): {}", e.requestId(), e.getMessage());
    return new ApiException(
        BAD_GATEWAY, "stripe_error", "Stripe did not complete the request; try again", null);
  }

  // the descriptions of these routes

  static final Operation CHECKOUT =
      Operation.post("/create-checkout")
          .owner()
          .summary("A Stripe Checkout Session for a plan, a pack, a store item or a top-up")
          .description(
              """
              Who: the organization's owner; a platform admin. 409 stripe_disabled, \
              stripe_not_configured, amount_not_chargeable, subscription_exists.

              `{"plan_id"|"pack_id"|"store_item_id"|"top_up","success_url","cancel_url","user_id\
              "?}` → 200 \
              `{"checkout_url","session_id"}`: a Stripe Checkout Session for the account's Stripe \
              customer (created at its first Stripe call), for a plan in `setup` mode (saves a \
              payment method) or, with `stripeCollection` `stripe_invoices`, in `subscription` \
              mode on the plan's Stripe Price (synced first when Stripe lacks it; the Stripe \
              Subscription's metadata `account_id`, `plan_id`; for a plan with `trial_days` the \
              organization never had a trial of, its `trial_end` at the trial's end, also in the \
              session's metadata `trial_end`), recorded with the organization's \
              plan and lock state for the state check at its completion, or `payment` mode for a \
              pack or a store item (one line of its price in the account's currency, in minor \
              units: 5.00 USD is 500, 125000 VND is 125000; a store item's purchase is stored when \
              the session completes paid, never invoiced), or a top-up of the prepaid balance \
              (`"top_up":{"amount","currency"}`: `payment` mode, one line of the amount in minor \
              units, Stripe Tax as for a pack; once paid, the balance gets a `top_up` entry of \
              what it paid net of tax, source `checkout:<session id>`, once, and event \
              `billing.balance.topped_up`). 400 naming the field: not exactly one of `plan_id`, \
              `pack_id`, `store_item_id` and `top_up`; `top_up` not an object, \
              `top_up.amount` not a JSON number, not above 0, with more decimals than the \
              currency or outside config `topUpLimits` (USD 5–10,000 by default), \
              `top_up.currency` missing or not the organization's (nothing asked of Stripe); a \
              store item not on sale, an unknown \
              plan or the current one, an unknown pack, one not sold in the account's currency or \
              a recurring one (billed on the invoice each period: bought with `POST \
              /packs/{id}/purchase`), a URL missing or not `https` (`http://localhost` and \
              `http://127.0.0.1` aside), `promotion_code` (a code that is none, or given without \
              a `plan_id`); 404 for a user without an account; 409 `already_owned`, \
              `not_sold_in_currency` or `free` for a store item, `stripe_disabled` while \
              `stripeEnabled` is false, `stripe_not_configured` without `STRIPE_SECRET_KEY`, \
              `amount_not_chargeable` for a pack whose price Stripe cannot take in the currency \
              (1.005 BHD) or a top-up Stripe cannot take, its message naming the amount, Stripe \
              not asked; `subscription_exists` \
              for a plan (in either mode) while the organization has a Stripe Subscription not \
              cancelled (its plan changes in the Customer Portal); 423 `account_locked` while \
              locked read-only (a plan change and a pack purchase are refused then, as on their \
              own routes; a top-up too: it would not pay the overdue invoice); 502 \
              `stripe_error` when Stripe still fails after its retry (8 s to answer, 2 tries). \
              A retry with the first request's `Idempotency-Key` answers the first session \
              again. A plan's `promotion_code` is checked as `POST /redeem` would redeem it (its \
              409s: `coupon_inactive`, `coupon_expired`, `coupon_exhausted`, \
              `currency_mismatch`, `discount_active`, and `already_redeemed` for a coupon the \
              organization redeemed before), goes in the session's metadata \
              (`promotion_code`) and is redeemed when the session completes; in `subscription` \
              mode, on a plan its coupon applies to, the coupon and the code are mirrored to \
              Stripe (`ss_coupon_<id>` and a promotion code) and the session carries it as its \
              `discounts`.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(StripeRoutesSchemas.CHECKOUT_REQUEST)
          .answers(200, StripeRoutesSchemas.CHECKOUT)
          .answers(
              409,
              Response.CONFLICT.described(
                  """
                  a conflict; the code says which, among them organization_closed once the \
                  organization is closed (org.deleted)"""))
          .errors(400, 404, 423, 502);

  static final Operation PAYMENT_METHODS =
      Operation.get("/payment-methods")
          .owner()
          .summary("The customer's payment methods at Stripe")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"payment_methods":[{"type","brand","last4","exp_month","exp_year","default"}]}` as \
              Stripe lists the customer's payment methods (up to 100), `default` the customer's \
              default payment method as the webhook keeps it from Stripe's events \
              (`billing_stripe_customers.default_payment_method`), else, when none is kept, the \
              customer's `invoice_settings.default_payment_method` at Stripe; `last4` of the card \
              or of a bank debit's account (SEPA, US bank account, Bacs, BECS), brand and expiry \
              null for a method that is not a card; `[]` (Stripe not asked) before the account has \
              a customer. Nothing else of a method is exposed. 404, 409, 502 as \
              `/create-checkout`.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, StripeRoutesSchemas.PAYMENT_METHODS)
          .errors(404, 409, 502);

  static final Operation PORTAL =
      Operation.post("/portal")
          .owner()
          .summary("A Stripe Customer Portal session")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"return_url","user_id"?}` → 200 `{"portal_url"}`: a Stripe Customer Portal session \
              for the account's customer (created if needed). Allowed while locked (it is where a \
              card is fixed to pay). 400 naming `return_url` (as the checkout's URLs); 404, 409, \
              502 as `/create-checkout`.""")
          .body(StripeRoutesSchemas.PORTAL_REQUEST)
          .answers(200, StripeRoutesSchemas.PORTAL)
          .errors(400, 404, 409, 502);
}
