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
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
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
 * store item paid once), {@code POST /portal} (the Customer Portal) and {@code GET
 * /payment-methods}. Each creates the account's Stripe customer at its first call. While
 * {@code stripeEnabled} is false they answer 409 {@code stripe_disabled}.
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/create-checkout", JsonRoute.of(this::checkout));
    routes.add(HttpMethod.POST, "/portal", JsonRoute.of(this::portal));
    routes.add(HttpMethod.GET, "/payment-methods", JsonRoute.of(this::paymentMethods));
  }

  /**
   * {@code {"plan_id"|"pack_id"|"store_item_id","success_url","cancel_url","org_id"?}}: 200 with
   * the session. 400 naming the field: not exactly one of the three, an unknown plan or the current
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
    String accountId = access.organization(request, body, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    Currency currency = currencyOf(accountId);
    readOnlyLock.requireNotLocked(accountId);
    ReturnUrls urls =
        new ReturnUrls(
            CheckoutInputs.url(body, "success_url"), CheckoutInputs.url(body, "cancel_url"));
    int named =
        (body.has("plan_id") ? 1 : 0)
            + (body.has("pack_id") ? 1 : 0)
            + (body.has("store_item_id") ? 1 : 0);
    if (named != 1) {
      throw ApiException.badParameter("plan_id", "give one of plan_id, pack_id and store_item_id");
    }
    boolean plan = body.has("plan_id");
    if (body.has("store_item_id")) {
      return storeItem(request, body, accountId, stripe, urls);
    }
    BillingConfig current = config.get();
    try {
      CheckoutPage page;
      if (plan) {
        String planId = Json.requiredText(body, "plan_id");
        SubscriptionPlan chosen =
            current
                .plan(planId)
                .filter(p -> current.priceOf(p, currency).isPresent())
                .orElseThrow(() -> ApiException.badParameter("plan_id", "no plan " + planId));
        String planThen = currentPlan(accountId);
        if (planId.equals(planThen)) {
          throw ApiException.badParameter("plan_id", "the account is on plan " + planId);
        }
        String customer = customers.customerOf(accountId, stripe);
        PlanCheckouts.Then then =
            new PlanCheckouts.Then(planThen, readOnlyLock.lockedBecause(accountId).isPresent());
        page =
            plans.create(
                stripe, current, accountId, customer, chosen, currency, then, urls, checkoutTax());
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
        String customer = customers.customerOf(accountId, stripe);
        page =
            StripeCheckout.forPack(
                stripe, accountId, customer, pack, price, currency, urls, checkoutTax());
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
      HttpRequest request, JsonNode body, String accountId, StripeApi stripe, ReturnUrls urls)
      throws Exception {
    JsonNode id = body.get("store_item_id");
    if (!id.canConvertToLong() || !id.isIntegralNumber()) {
      throw ApiException.badParameter("store_item_id", "store_item_id must be an item's id");
    }
    StorePurchases.Quote quote;
    try {
      quote =
          store
              .quote(accountId, id.longValue())
              .orElseThrow(
                  () ->
                      ApiException.badParameter(
                          "store_item_id", "no store item " + id.longValue() + " on sale"));
    } catch (StoreRefused e) {
      throw ApiException.conflict(e.code(), e.getMessage(), Map.of());
    }
    CheckoutInputs.chargeable(quote.price(), quote.currency());
    try {
      String customer = customers.customerOf(accountId, stripe);
      CheckoutPage page =
          StripeCheckout.forStoreItem(
              stripe,
              accountId,
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
   * {@code {"return_url","org_id"?}}: 200 {@code {"portal_url"}}. Not refused while locked:
   * the portal is where a card is fixed to pay.
   */
  PortalJson portal(HttpRequest request) throws Exception {
    Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String accountId = access.organization(request, body, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    currencyOf(accountId);
    String returnUrl = CheckoutInputs.url(body, "return_url");
    try {
      String customer = customers.customerOf(accountId, stripe);
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
    String accountId = access.organization(request, MemberRole.OWNER).id();
    StripeApi stripe = stripe();
    currencyOf(accountId);
    var customer = customers.find(accountId);
    if (customer.isEmpty()) {
      return new PaymentMethodsJson(List.of());
    }
    try {
      String kept = customers.defaultPaymentMethod(accountId).orElse(null);
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

  private Currency currencyOf(String accountId) throws Exception {
    return accounts
        .find(accountId)
        .orElseThrow(() -> ApiException.unknownUser(accountId))
        .currency();
  }

  private String currentPlan(String accountId) throws Exception {
    return subscriptions
        .find(accountId)
        .map(s -> s.current().planId())
        .orElseThrow(() -> ApiException.unknownUser(accountId));
  }

  /** 502 {@code stripe_error} once stripe-java's retry is spent; Stripe's detail is logged. */
  static ApiException stripeFailed(StripeFailure e) {
    log.warn("Stripe call failed (request {}): {}", e.requestId(), e.getMessage());
    return new ApiException(
        BAD_GATEWAY, "stripe_error", "Stripe did not complete the request; try again", null);
  }
}
