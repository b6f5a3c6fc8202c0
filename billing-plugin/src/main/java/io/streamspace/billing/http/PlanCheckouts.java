package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.StripeCollection;
import io.streamspace.billing.coupons.Coupon;
import io.streamspace.billing.coupons.CouponRefused;
import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.coupons.Redeeming;
import io.streamspace.billing.payments.subscription.CatalogPrices;
import io.streamspace.billing.payments.subscription.CheckoutSessions;
import io.streamspace.billing.payments.subscription.CouponsAtStripe;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.stripe.StripeApi;
import io.streamspace.billing.stripe.StripeCatalog;
import io.streamspace.billing.stripe.StripeCheckout;
import io.streamspace.billing.stripe.StripeCheckout.CheckoutPage;
import io.streamspace.billing.stripe.StripeCheckout.ReturnUrls;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.billing.trials.Trials;
import io.streamspace.common.http.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A plan's Checkout Session, in the mode config {@code stripeCollection} asks for: {@code
 * payment_intents} saves a payment method (setup mode) and the plugin charges the plan on its
 * invoices; {@code stripe_invoices} starts a Stripe Subscription on the plan's Price (subscription
 * mode), synced first when Stripe lacks it or it no longer matches. Either way the session is
 * recorded with the organization's plan and lock state then ({@link CheckoutSessions}), for the
 * state check at its completion. A Subscription on a plan with a trial the organization never had
 * starts with Stripe's {@code trial_end} at the trial's end ({@link Trials}). A promotion code
 * goes with it ({@link #promoted}), redeemed at its completion.
 */
public final class PlanCheckouts {

  /** The parts a plan checkout uses beyond the routes'. */
  public record Parts(
      CheckoutSessions sessions,
      StripeSubscriptions subscriptions,
      DataSource dataSource,
      Coupons coupons,
      CouponsAtStripe atStripe,
      Clock clock) {}

  /** A promotion code the session carries, checked redeemable ({@code Coupons#check}). */
  record Promotion(String code, Coupon coupon) {}

  static final String PROMOTION_CODE = "promotion_code";

  private final Parts parts;

  PlanCheckouts(Parts parts) {
    this.parts = parts;
  }

  /**
   * The code as the session carries it: ours, redeemed at its completion; for a session that
   * starts a Stripe Subscription ({@code stripe} given) on a plan the coupon applies to, also its
   * Stripe promotion code (mirrored now when Stripe lacks it), which Stripe applies to the
   * Subscription. Without one, a session that starts a Stripe Subscription carries the discount
   * the organization already holds ({@link CouponsAtStripe#heldDiscount}), redeemed before it had
   * one: Stripe takes it off the fee our invoices leave to the Subscription. Null without either.
   */
  private StripeCheckout.PromotionCode promoted(
      StripeApi stripe, String orgId, SubscriptionPlan plan, Promotion promotion)
      throws StripeFailure, SQLException {
    if (promotion == null) {
      return stripe == null
          ? null
          : parts
              .atStripe()
              .heldDiscount(stripe, orgId, plan.id(), parts.clock().instant())
              .map(StripeCheckout.PromotionCode::held)
              .orElse(null);
    }
    String code = Redeeming.normalized(promotion.code());
    boolean atStripe =
        stripe != null && CouponsAtStripe.discountsSubscription(promotion.coupon(), plan.id());
    return StripeCheckout.PromotionCode.of(
        code, atStripe ? parts.atStripe().promotionCode(stripe, promotion.coupon(), code) : null);
  }

  /**
   * The body's {@code promotion_code}, checked redeemable by the organization now (nothing is
   * redeemed until the session completes); null without one. 400 naming {@code promotion_code}
   * when it is not a string; the code's refusals as {@code POST /redeem} answers them.
   */
  Promotion promotion(JsonNode body, String orgId) throws ApiException, SQLException {
    JsonNode given = body.get(PROMOTION_CODE);
    if (given == null || given.isNull()) {
      return null;
    }
    if (!given.isTextual() || given.asText().isBlank()) {
      throw ApiException.badParameter(PROMOTION_CODE, "promotion_code must be a code");
    }
    try {
      return new Promotion(
          given.asText(), parts.coupons().check(orgId, given.asText(), parts.clock().instant()));
    } catch (CouponRefused e) {
      throw CouponRoutes.refused(e, PROMOTION_CODE);
    }
  }

  /** The organization's state when the session is asked for: its plan, whether locked. */
  record Then(String planId, boolean locked) {}

  /**
   * The session for {@code plan}: 409 {@code subscription_exists} (in either mode) when the
   * organization has a Stripe Subscription not cancelled (its plan changes in the
   * Customer Portal).
   */
  CheckoutPage create(
      StripeApi stripe,
      BillingConfig config,
      String orgId,
      String customer,
      SubscriptionPlan plan,
      Currency currency,
      Then then,
      ReturnUrls urls,
      StripeCheckout.CheckoutTax tax,
      Promotion promotion)
      throws StripeFailure, SQLException, ApiException {
    boolean subscription = config.stripeCollection() == StripeCollection.STRIPE_INVOICES;
    // in either mode: a subscription started under stripe_invoices goes on charging its plan's fee
    // after a move back to payment_intents, whatever plan a setup-mode session changes to
    Optional<String> live = parts.subscriptions().liveOf(orgId);
    if (live.isPresent()) {
      throw ApiException.conflict(
          "subscription_exists",
          "the organization pays its plan through Stripe subscription "
              + live.get()
              + ": change the plan in the Customer Portal (POST /portal)",
          Map.of());
    }
    CheckoutPage page;
    if (subscription) {
      String price =
          StripeCatalog.priceId(
              stripe,
              CatalogPrices.plan(
                  plan,
                  config.priceOf(plan, currency).orElseThrow(),
                  currency,
                  config.taxBehavior().configName()));
      page =
          StripeCheckout.forPlanSubscription(
              stripe,
              orgId,
              customer,
              plan.id(),
              price,
              trialEnd(orgId, plan),
              urls,
              tax,
              promoted(stripe, orgId, plan, promotion));
    } else {
      page =
          StripeCheckout.forPlan(
              stripe,
              orgId,
              customer,
              plan.id(),
              currency,
              urls,
              tax,
              promoted(null, orgId, plan, promotion));
    }
    parts
        .sessions()
        .created(
            new CheckoutSessions.Created(
                page.sessionId(),
                orgId,
                subscription ? "subscription" : "setup",
                plan.id(),
                then.planId(),
                then.locked(),
                "open"),
            parts.clock().instant());
    return page;
  }

  /**
   * The end of the plan's trial for a Subscription starting now, to the second (Stripe's {@code
   * trial_end} is in seconds, and our trial ends at the same instant): its days from now, when it
   * has a trial the organization never had; else null, and Stripe charges from the start.
   */
  private Instant trialEnd(String orgId, SubscriptionPlan plan) throws SQLException {
    if (plan.trialDays() == 0) {
      return null;
    }
    try (Connection connection = parts.dataSource().getConnection()) {
      if (Trials.had(connection, orgId, plan.id())) {
        return null;
      }
    }
    return parts
        .clock()
        .instant()
        .truncatedTo(ChronoUnit.SECONDS)
        .plus(Duration.ofDays(plan.trialDays()));
  }
}
