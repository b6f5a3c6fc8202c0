package io.streamspace.billing.payments.subscription;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.coupons.AppliesTo;
import io.streamspace.billing.coupons.Coupon;
import io.streamspace.billing.coupons.CouponRefused;
import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.coupons.Redeeming;
import io.streamspace.billing.coupons.Redemption;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.stripe.StripeApi;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeCoupons;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coupons where a Stripe Subscription collects the plan fee ({@code stripeCollection} {@code
 * stripe_invoices}): Stripe's Subscription invoices are not ours, so the coupon goes to Stripe
 * with it. A subscription Checkout carries the code as its Stripe promotion code ({@link
 * #promotionCode}); a code redeemed while a Subscription runs on a plan the coupon applies to
 * discounts that Subscription, in the redemption's transaction ({@link #onSubscriptions}): when
 * Stripe refuses, the redemption is rolled back; a subscription Checkout without a code carries
 * the discount the organization already holds ({@link #heldDiscount}), and a Subscription the
 * Customer Portal moves onto a plan the coupon applies to is given it ({@link
 * #carryHeldDiscount}). Our invoices leave the
 * discount of a fee the Subscription charges off the Stripe invoice they mirror, as they leave
 * the fee.
 */
public final class CouponsAtStripe {

  private static final Logger log = LoggerFactory.getLogger(CouponsAtStripe.class);

  private final Coupons coupons;
  private final StripeClients clients;
  private final Supplier<BillingConfig> config;

  public CouponsAtStripe(Coupons coupons, StripeClients clients, Supplier<BillingConfig> config) {
    this.coupons = coupons;
    this.clients = clients;
    this.config = config;
  }

  /** Whether a session for {@code planId} in this mode takes the coupon as its discount. */
  public static boolean discountsSubscription(Coupon coupon, String planId) {
    return discountsSubscription(coupon.appliesTo(), planId);
  }

  private static boolean discountsSubscription(AppliesTo appliesTo, String planId) {
    return appliesTo.plans().contains(planId);
  }

  /**
   * The Stripe promotion code of {@code code}: the one kept, else the coupon and the code
   * mirrored to Stripe now and kept.
   */
  public String promotionCode(StripeApi stripe, Coupon coupon, String code)
      throws StripeFailure, SQLException {
    Optional<String> kept = coupons.stripePromotionCode(code);
    if (kept.isPresent()) {
      return kept.get();
    }
    String normalized = Redeeming.normalized(code);
    String id = StripeCoupons.promotionCode(stripe, terms(coupon), normalized);
    coupons.keepStripeIds(coupon.id(), terms(coupon).stripeId(), normalized, id);
    return id;
  }

  /**
   * The Stripe coupon of the discount the organization holds at {@code now}, when its coupon
   * applies to {@code planId}, mirrored to Stripe now when Stripe lacks it; empty without one. A
   * subscription Checkout carries it: a code redeemed before the organization had a Subscription
   * (with {@code POST /redeem}) would otherwise be lost on the fee, which our invoices leave to
   * the Subscription, its discount with it. A repeating discount is carried for the periods it has
   * left (the coupon {@code <id>_<n>mo}: {@link StripeCoupons.Terms#withMonthsLeft}).
   */
  public Optional<String> heldDiscount(StripeApi stripe, String orgId, String planId, Instant now)
      throws StripeFailure, SQLException {
    Optional<StripeCoupons.Terms> held = heldTerms(coupons.active(orgId, now), planId, now);
    return held.isEmpty()
        ? Optional.empty()
        : Optional.of(StripeCoupons.coupon(stripe, held.get()));
  }

  /**
   * A Customer Portal plan move's hook: the organization's Stripe Subscription, moved onto {@code
   * planId} without a discount at {@code at}, discounted at Stripe by the discount the
   * organization held then when its coupon applies to that plan, for the periods it had left, as
   * a subscription Checkout carries it ({@link #heldDiscount}); {@code key} the update's
   * idempotency key (the same terms for the same {@code at}, however late the event comes again).
   * A Stripe that cannot be reached fails the event, which Stripe delivers again; one that
   * refuses the update is logged, as an error to mend by hand, and the move stands.
   */
  public void carryHeldDiscount(
      Connection c, String subscriptionId, String orgId, String planId, String key, Instant at)
      throws SQLException {
    // on the event's connection: it holds one already, and its move is in that transaction
    Optional<StripeCoupons.Terms> held = heldTerms(coupons.active(c, orgId, at), planId, at);
    if (held.isEmpty()) {
      return;
    }
    Optional<StripeApi> stripe = clients.interactiveApi();
    if (stripe.isEmpty()) {
      log.warn(
          "Stripe Subscription {} of {} moved onto plan {} without the discount the organization"
              + " holds: the host holds no STRIPE_SECRET_KEY to give it",
          SafeText.forLog(subscriptionId),
          SafeText.forLog(orgId),
          SafeText.forLog(planId));
      return;
    }
    try {
      StripeCoupons.discountSubscription(stripe.get(), subscriptionId, held.get(), key);
    } catch (StripeFailure e) {
      if (!e.refused()) {
        throw new IllegalStateException(
            "Stripe did not discount Subscription %s (request %s): %s"
                .formatted(subscriptionId, e.requestId(), e.getMessage()),
            e);
      }
      log.error(
          "Stripe refused to discount Subscription {} of {} by {} (request {}), which the"
              + " organization holds: give it the coupon by hand ({})",
          SafeText.forLog(subscriptionId),
          SafeText.forLog(orgId),
          held.get().stripeId(),
          e.requestId(),
          SafeText.forLog(e.getMessage()));
    }
  }

  /**
   * The Stripe terms of {@code active}, the discount the organization holds at {@code now}, when
   * its coupon applies to {@code planId}: a repeating one for the periods it has left.
   */
  private Optional<StripeCoupons.Terms> heldTerms(
      Optional<Redemption> active, String planId, Instant now) {
    // the redemption carries its coupon's terms: nothing more to read
    Optional<Redemption> held =
        active.filter(r -> discountsSubscription(r.terms().appliesTo(), planId));
    if (held.isEmpty()) {
      return Optional.empty();
    }
    StripeCoupons.Terms terms = terms(held.get().couponId(), held.get().terms());
    Instant until = held.get().discountUntil();
    if (until != null) {
      BillingConfig current = config.get();
      BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
      terms = terms.withMonthsLeft(periods.boundariesBetween(now, until).size());
    }
    return Optional.of(terms);
  }

  /**
   * The redemption hook of {@code POST /redeem}: the organization's live Stripe Subscription,
   * when it is on a plan the coupon applies to, discounted by the coupon at Stripe (key {@code
   * ss-redeem-<redemption>}). Nothing while Stripe is off or without such a Subscription.
   */
  public Redeeming.AtStripe onSubscriptions() {
    return (c, redemption, coupon) -> {
      if (!config.get().stripeEnabled()) {
        return;
      }
      Optional<String> subscription = StripeSubscriptions.liveOf(c, redemption.orgId());
      Optional<StripeSubscriptions.Stored> live =
          subscription.isEmpty()
              ? Optional.empty()
              : StripeSubscriptions.find(c, subscription.get())
                  .filter(s -> discountsSubscription(coupon, s.planId()));
      if (live.isEmpty()) {
        return;
      }
      discount(c, live.get().subscriptionId(), redemption, coupon);
    };
  }

  private void discount(Connection c, String subscriptionId, Redemption redemption, Coupon coupon)
      throws SQLException, CouponRefused {
    StripeApi stripe =
        clients
            .interactiveApi()
            .orElseThrow(
                () ->
                    CouponRefused.atStripe(
                        "the organization's Stripe Subscription could not be discounted: the"
                            + " host holds no STRIPE_SECRET_KEY"));
    try {
      StripeCoupons.discountSubscription(
          stripe, subscriptionId, terms(coupon), "ss-redeem-" + redemption.id());
    } catch (StripeFailure e) {
      log.warn("Stripe call failed (request {}): {}", e.requestId(), e.getMessage());
      throw CouponRefused.atStripe(
          "Stripe did not discount the organization's Subscription; nothing was redeemed, try"
              + " again");
    }
    Coupons.keepStripeCoupon(c, coupon.id(), terms(coupon).stripeId());
  }

  private static StripeCoupons.Terms terms(Coupon coupon) {
    return terms(coupon.id(), Redemption.Terms.of(coupon));
  }

  private static StripeCoupons.Terms terms(String couponId, Redemption.Terms terms) {
    return new StripeCoupons.Terms(
        couponId,
        terms.percentOff(),
        terms.amountOff(),
        terms.currency() == null ? null : Currency.getInstance(terms.currency()),
        terms.duration(),
        terms.durationInPeriods());
  }
}
