package io.streamspace.billing.stripe;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentMethod;
import com.stripe.model.checkout.Session;
import com.stripe.param.CustomerPaymentMethodListParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionCreateParams.LineItem;
import com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData;
import com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData.ProductData;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.tax.TaxBehavior;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/**
 * The pages Stripe hosts for an account's customer: Checkout Sessions (a plan's saves a payment
 * method, or starts a Stripe Subscription under {@code stripe_invoices}; a pack's or a store item's
 * takes its price once; a top-up's takes an amount onto the prepaid balance), the Customer Portal,
 * and the
 * customer's payment methods. Each Checkout Session carries the account ({@code
 * client_reference_id} and metadata {@code account_id}, {@code kind}, {@code plan_id}, {@code
 * pack_id} or {@code store_item_id}) for the webhook to read.
 */
public final class StripeCheckout {

  /** A store item's version at the price its buyer pays. */
  public record StoreItemPrice(
      long itemId, long versionId, String itemName, BigDecimal price, Currency currency) {}

  /**
   * Whether Stripe Tax applies to the session (config {@code stripeTax}) and how its prices
   * declare their tax ({@code taxBehavior}).
   */
  public record CheckoutTax(boolean enabled, TaxBehavior behavior) {

    /** No Stripe Tax. */
    public static final CheckoutTax NONE = new CheckoutTax(false, TaxBehavior.EXCLUSIVE);
  }

  /**
   * The discount a plan session carries: a promotion code of ours ({@code code}, in the session's
   * metadata {@code promotion_code}, redeemed at its completion; null: nothing to redeem) and, for
   * a session that starts a Stripe Subscription, the session's {@code discounts} at Stripe: the
   * code's promotion code there ({@code stripeId}), or the coupon of a discount the organization
   * already holds ({@code stripeCoupon}); both null: the code is ours alone.
   */
  public record PromotionCode(String code, String stripeId, String stripeCoupon) {

    /** A code of ours, with its promotion code at Stripe (null: ours alone). */
    public static PromotionCode of(String code, String stripeId) {
      return new PromotionCode(code, stripeId, null);
    }

    /** A discount already redeemed, as its coupon at Stripe: nothing to redeem. */
    public static PromotionCode held(String stripeCoupon) {
      return new PromotionCode(null, null, stripeCoupon);
    }
  }

  /** Where Stripe sends the customer back to. */
  public record ReturnUrls(String success, String cancel) {}

  /** A Checkout Session: its id and the page to send the customer to. */
  public record CheckoutPage(String sessionId, String url) {}

  /**
   * A payment method as shown: no more than a customer needs to recognize it ({@code default}
   * in JSON: the customer's default for invoices).
   */
  public record SavedMethod(
      String type,
      String brand,
      String last4,
      Long expMonth,
      Long expYear,
      @JsonProperty("default") boolean isDefault) {}

  /** Stripe's largest page of payment methods: a customer with more is not expected. */
  private static final long METHODS_PAGE = 100;

  private StripeCheckout() {}

  /**
   * A session in setup mode that saves a payment method, for a change to the plan. Its
   * SetupIntent carries metadata {@code account_id} and {@code kind} {@code plan}: its {@code
   * setup_intent.succeeded} makes the card saved the customer's default, even when it has one.
   * A {@code promotion} (null: none) is in its metadata only.
   */
  public static CheckoutPage forPlan(
      StripeApi stripe,
      String orgId,
      String customerId,
      String planId,
      Currency currency,
      ReturnUrls urls,
      CheckoutTax tax,
      PromotionCode promotion)
      throws StripeFailure {
    SessionCreateParams params =
        promoted(session(orgId, customerId, urls, "plan", tax), promotion)
            .setMode(SessionCreateParams.Mode.SETUP)
            .setCurrency(code(currency))
            .putMetadata("plan_id", planId)
            .setSetupIntentData(
                SessionCreateParams.SetupIntentData.builder()
                    .putMetadata("account_id", orgId)
                    .putMetadata("kind", "plan")
                    .build())
            .build();
    return StripeFailure.calling(
        () -> page(stripe.client().v1().checkout().sessions().create(params)));
  }

  /**
   * A session in subscription mode (config {@code stripeCollection} {@code stripe_invoices}):
   * the plan's Stripe Price ({@link StripeCatalog}) starts a Stripe Subscription whose metadata
   * names the account and the plan ({@code account_id}, {@code plan_id}); Stripe takes its first
   * period's fee at the session, or, with {@code trialEnd}, from then: the Subscription's {@code
   * trial_end}, also in the session's metadata ({@code trial_end}, Unix seconds) for its
   * completion to end our trial at the same instant. A {@code promotion} (null: none) mirrored to
   * Stripe is the session's discount, which Stripe keeps on the Subscription.
   *
   * @param trialEnd the end of the plan's trial, a whole second; null for none
   */
  public static CheckoutPage forPlanSubscription(
      StripeApi stripe,
      String orgId,
      String customerId,
      String planId,
      String priceId,
      Instant trialEnd,
      ReturnUrls urls,
      CheckoutTax tax,
      PromotionCode promotion)
      throws StripeFailure {
    SessionCreateParams.SubscriptionData.Builder subscription =
        SessionCreateParams.SubscriptionData.builder()
            .putMetadata("account_id", orgId)
            .putMetadata("plan_id", planId);
    SessionCreateParams.Builder session =
        promoted(session(orgId, customerId, urls, "plan", tax), promotion)
            .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
            .addLineItem(LineItem.builder().setPrice(priceId).setQuantity(1L).build())
            .putMetadata("plan_id", planId);
    if (trialEnd != null) {
      subscription.setTrialEnd(trialEnd.getEpochSecond());
      session.putMetadata("trial_end", Long.toString(trialEnd.getEpochSecond()));
    }
    SessionCreateParams params = session.setSubscriptionData(subscription.build()).build();
    return StripeFailure.calling(
        () -> page(stripe.client().v1().checkout().sessions().create(params)));
  }

  /** A session in payment mode taking the pack's price once, in the account's currency. */
  public static CheckoutPage forPack(
      StripeApi stripe,
      String orgId,
      String customerId,
      CapacityPack pack,
      BigDecimal price,
      Currency currency,
      ReturnUrls urls,
      CheckoutTax tax)
      throws StripeFailure {
    PriceData priceData =
        taxed(PriceData.builder(), tax)
            .setCurrency(code(currency))
            .setUnitAmount(StripeAmounts.toMinorUnits(price, currency))
            .setProductData(ProductData.builder().setName(pack.name()).build())
            .build();
    SessionCreateParams params =
        session(orgId, customerId, urls, "pack", tax)
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .addLineItem(LineItem.builder().setPriceData(priceData).setQuantity(1L).build())
            .putMetadata("pack_id", pack.id())
            .build();
    return StripeFailure.calling(
        () -> page(stripe.client().v1().checkout().sessions().create(params)));
  }

  /**
   * A session in payment mode taking {@code amount} once onto the organization's prepaid balance
   * (metadata {@code kind} {@code top_up}), in its currency; with Stripe Tax, the tax is computed
   * on it as {@code taxBehavior} says (on top, or within).
   */
  public static CheckoutPage forTopUp(
      StripeApi stripe,
      String orgId,
      String customerId,
      BigDecimal amount,
      Currency currency,
      ReturnUrls urls,
      CheckoutTax tax)
      throws StripeFailure {
    PriceData priceData =
        taxed(PriceData.builder(), tax)
            .setCurrency(code(currency))
            .setUnitAmount(StripeAmounts.toMinorUnits(amount, currency))
            .setProductData(ProductData.builder().setName("Prepaid balance top-up").build())
            .build();
    SessionCreateParams params =
        session(orgId, customerId, urls, "top_up", tax)
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .addLineItem(LineItem.builder().setPriceData(priceData).setQuantity(1L).build())
            .build();
    return StripeFailure.calling(
        () -> page(stripe.client().v1().checkout().sessions().create(params)));
  }

  /**
   * A session in payment mode taking a store item's price once, in the account's currency; its
   * metadata names the item, the version priced and the buyer, for the webhook to store the
   * purchase.
   */
  public static CheckoutPage forStoreItem(
      StripeApi stripe,
      String orgId,
      String customerId,
      String buyer,
      StoreItemPrice quote,
      ReturnUrls urls,
      CheckoutTax tax)
      throws StripeFailure {
    PriceData priceData =
        taxed(PriceData.builder(), tax)
            .setCurrency(code(quote.currency()))
            .setUnitAmount(StripeAmounts.toMinorUnits(quote.price(), quote.currency()))
            .setProductData(ProductData.builder().setName(quote.itemName()).build())
            .build();
    SessionCreateParams params =
        session(orgId, customerId, urls, "store", tax)
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .addLineItem(LineItem.builder().setPriceData(priceData).setQuantity(1L).build())
            .putMetadata("store_item_id", Long.toString(quote.itemId()))
            .putMetadata("store_version_id", Long.toString(quote.versionId()))
            .putMetadata("bought_by", buyer)
            .build();
    return StripeFailure.calling(
        () -> page(stripe.client().v1().checkout().sessions().create(params)));
  }

  /** The URL of a Customer Portal session, coming back to {@code returnUrl}. */
  public static String portal(StripeApi stripe, String customerId, String returnUrl)
      throws StripeFailure {
    return StripeFailure.calling(() -> portal(stripe.client(), customerId, returnUrl));
  }

  private static String portal(StripeClient stripe, String customerId, String returnUrl)
      throws StripeException {
    return stripe
        .v1()
        .billingPortal()
        .sessions()
        .create(
            com.stripe.param.billingportal.SessionCreateParams.builder()
                .setCustomer(customerId)
                .setReturnUrl(returnUrl)
                .build())
        .getUrl();
  }

  /**
   * The customer's payment methods, the default for invoices marked: the one we keep from
   * Stripe's events (which collection charges), else the customer's {@code
   * invoice_settings.default_payment_method} at Stripe.
   *
   * @param keptDefault the default kept in {@code billing_stripe_customers}, or null for none
   */
  public static List<SavedMethod> paymentMethods(
      StripeApi stripe, String customerId, String keptDefault) throws StripeFailure {
    return StripeFailure.calling(() -> paymentMethods(stripe.client(), customerId, keptDefault));
  }

  private static List<SavedMethod> paymentMethods(
      StripeClient stripe, String customerId, String keptDefault) throws StripeException {
    String defaultId = keptDefault;
    if (defaultId == null) {
      var settings = stripe.v1().customers().retrieve(customerId).getInvoiceSettings();
      defaultId = settings == null ? null : settings.getDefaultPaymentMethod();
    }
    List<PaymentMethod> methods =
        stripe
            .v1()
            .customers()
            .paymentMethods()
            .list(
                customerId,
                CustomerPaymentMethodListParams.builder().setLimit(METHODS_PAGE).build())
            .getData();
    String marked = defaultId;
    return methods.stream().map(m -> shown(m, m.getId().equals(marked))).toList();
  }

  private static SavedMethod shown(PaymentMethod method, boolean isDefault) {
    PaymentMethod.Card card = method.getCard();
    return card == null
        ? new SavedMethod(method.getType(), null, bankLast4(method), null, null, isDefault)
        : new SavedMethod(
            method.getType(),
            card.getBrand(),
            card.getLast4(),
            card.getExpMonth(),
            card.getExpYear(),
            isDefault);
  }

  /** The last four of a bank debit method's account; null for other types. */
  private static String bankLast4(PaymentMethod method) {
    if (method.getSepaDebit() != null) {
      return method.getSepaDebit().getLast4();
    }
    if (method.getUsBankAccount() != null) {
      return method.getUsBankAccount().getLast4();
    }
    if (method.getBacsDebit() != null) {
      return method.getBacsDebit().getLast4();
    }
    return method.getAuBecsDebit() == null ? null : method.getAuBecsDebit().getLast4();
  }

  private static SessionCreateParams.Builder session(
      String orgId, String customerId, ReturnUrls urls, String kind, CheckoutTax tax) {
    SessionCreateParams.Builder session =
        SessionCreateParams.builder()
            .setCustomer(customerId)
            .setClientReferenceId(orgId)
            .putMetadata("account_id", orgId)
            .putMetadata("kind", kind)
            .setSuccessUrl(urls.success())
            .setCancelUrl(urls.cancel());
    if (tax.enabled()) {
      // Stripe Tax needs the customer's address: collected here, saved on the customer (auto),
      // with their tax ids; the completion keeps them on the organization for our invoices
      session
          .setAutomaticTax(SessionCreateParams.AutomaticTax.builder().setEnabled(true).build())
          .setTaxIdCollection(
              SessionCreateParams.TaxIdCollection.builder().setEnabled(true).build())
          .setCustomerUpdate(
              SessionCreateParams.CustomerUpdate.builder()
                  .setAddress(SessionCreateParams.CustomerUpdate.Address.AUTO)
                  .setName(SessionCreateParams.CustomerUpdate.Name.AUTO)
                  .build())
          .setBillingAddressCollection(SessionCreateParams.BillingAddressCollection.REQUIRED);
    }
    return session;
  }

  /**
   * The session carrying its discount: a code in its metadata, and its discount at Stripe when
   * there is one (a setup-mode session takes no discount: the code is ours alone).
   */
  private static SessionCreateParams.Builder promoted(
      SessionCreateParams.Builder session, PromotionCode promotion) {
    if (promotion == null) {
      return session;
    }
    if (promotion.code() != null) {
      session.putMetadata("promotion_code", promotion.code());
    }
    if (promotion.stripeId() != null) {
      session.addDiscount(
          SessionCreateParams.Discount.builder().setPromotionCode(promotion.stripeId()).build());
    } else if (promotion.stripeCoupon() != null) {
      session.addDiscount(
          SessionCreateParams.Discount.builder().setCoupon(promotion.stripeCoupon()).build());
    }
    return session;
  }

  /** A price's data declaring its tax behaviour, with Stripe Tax. */
  private static PriceData.Builder taxed(PriceData.Builder price, CheckoutTax tax) {
    return tax.enabled()
        ? price.setTaxBehavior(
            tax.behavior() == TaxBehavior.INCLUSIVE
                ? PriceData.TaxBehavior.INCLUSIVE
                : PriceData.TaxBehavior.EXCLUSIVE)
        : price;
  }

  private static CheckoutPage page(Session session) {
    return new CheckoutPage(session.getId(), session.getUrl());
  }

  private static String code(Currency currency) {
    return currency.getCurrencyCode().toLowerCase(Locale.ROOT);
  }
}
