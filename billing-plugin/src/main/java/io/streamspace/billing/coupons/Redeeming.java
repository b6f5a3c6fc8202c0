package io.streamspace.billing.coupons;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.money.BillingPeriods;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An organization's redemption of a promotion code, in the caller's transaction: the
 * organization's account row held (its redemptions, and its invoices' finalization, take turns),
 * then judged, then one redemption taken from the coupon by one conditional update (so
 * concurrent redemptions never pass {@code max_redemptions}), stored with the billing periods it
 * discounts (from the one holding {@code at}, as many as its duration counts, fixed now) and its
 * audit entry.
 *
 * <p>Refused, nothing changed: an unknown code (400 {@code code}); an organization without an
 * account (404) or closed; a coupon deactivated ({@code coupon_inactive}), past its {@code
 * redeem_by} ({@code coupon_expired}), with every redemption taken ({@code coupon_exhausted}), or
 * of an amount in another currency than the organization's ({@code currency_mismatch}); an
 * organization whose discount from another coupon still runs ({@code discount_active}). A code of
 * a coupon the organization redeemed before answers that redemption again ({@code fresh} false).
 */
public final class Redeeming {

  /**
   * A redemption to make.
   *
   * @param via {@code redeem} or {@code checkout}
   * @param checkoutSession the Checkout Session that carried it ({@code checkout}); else null
   */
  public record Request(
      String orgId, String code, String via, String checkoutSession, Cause cause, Instant at) {}

  /**
   * A redemption made, or answered again.
   *
   * @param fresh false when the organization had redeemed the coupon before: nothing was done
   */
  public record Redeemed(Redemption redemption, Coupon coupon, boolean fresh) {}

  /**
   * What Stripe is told of a fresh redemption, in its transaction before the commit: the
   * organization's Stripe Subscription discounted by the coupon. Its refusal rolls the
   * redemption back.
   */
  @FunctionalInterface
  public interface AtStripe {
    AtStripe NOTHING = (c, redemption, coupon) -> {};

    void redeemed(Connection c, Redemption redemption, Coupon coupon)
        throws SQLException, CouponRefused;
  }

  private final Supplier<BillingPeriods> periods;

  Redeeming(Supplier<BillingPeriods> periods) {
    this.periods = periods;
  }

  /** The code as stored: upper case (what a customer types is matched case-insensitively). */
  public static String normalized(String code) {
    return code == null ? null : code.strip().toUpperCase(Locale.ROOT);
  }

  Redeemed redeem(Connection c, Request request, AtStripe atStripe)
      throws SQLException, CouponRefused {
    String code = normalized(request.code());
    Judged judged = judge(c, request.orgId(), code, request.at(), true);
    if (judged.earlier().isPresent()) {
      return new Redeemed(judged.earlier().get(), judged.coupon(), false);
    }
    Coupon coupon = judged.coupon();
    if (!CouponRows.take(c, coupon.id(), request.at())) {
      // taken meanwhile by a concurrent redemption (or deactivated, or expired, since judged)
      Coupon now = CouponRows.find(c, coupon.id()).orElseThrow();
      judgeCoupon(now, request.at());
      throw exhausted(now);
    }
    BillingPeriods billing = periods.get();
    CouponDuration duration = CouponDuration.named(coupon.duration()).orElseThrow();
    RedemptionRows.insert(
        c,
        new RedemptionRows.NewRedemption(
            coupon.id(),
            code,
            request.orgId(),
            request.at(),
            request.via(),
            request.checkoutSession(),
            billing.periodStart(request.at()),
            duration.until(request.at(), coupon.durationInPeriods(), billing),
            request.cause()));
    Redemption redemption = RedemptionRows.ofCoupon(c, coupon.id(), request.orgId()).orElseThrow();
    Coupon taken = CouponRows.find(c, coupon.id()).orElseThrow();
    AuditTrail.record(
        c,
        new AuditEntry(
            request.at(),
            request.cause(),
            request.orgId(),
            AuditKinds.COUPON_REDEEMED,
            Coupons.subject(coupon.id()),
            null,
            redemption));
    atStripe.redeemed(c, redemption, taken);
    return new Redeemed(redemption, taken, true);
  }

  /** {@link #redeem}'s judgement alone, nothing held or changed; a code redeemed before is 409. */
  Coupon check(Connection c, String orgId, String code, Instant at)
      throws SQLException, CouponRefused {
    Judged judged = judge(c, orgId, normalized(code), at, false);
    if (judged.earlier().isPresent()) {
      throw CouponRefused.conflict(
          "already_redeemed", "the organization has redeemed coupon " + judged.coupon().id());
    }
    Coupon coupon = judged.coupon();
    if (coupon.maxRedemptions() != null && coupon.redemptions() >= coupon.maxRedemptions()) {
      throw exhausted(coupon);
    }
    return coupon;
  }

  /** What a code and an organization say of a redemption now. */
  private record Judged(Coupon coupon, Optional<Redemption> earlier) {}

  private static Judged judge(Connection c, String orgId, String code, Instant at, boolean hold)
      throws SQLException, CouponRefused {
    if (code == null || code.isEmpty()) {
      throw CouponRefused.invalid("code", "code is required: the promotion code to redeem");
    }
    String couponId =
        CouponRows.couponOf(c, code)
            .orElseThrow(() -> CouponRefused.invalid("code", "no promotion code " + code));
    RedemptionRows.Account account =
        (hold ? RedemptionRows.lockAccount(c, orgId) : RedemptionRows.account(c, orgId))
            .orElseThrow(() -> CouponRefused.notFound("no billing account " + orgId));
    if (account.closedAt() != null && !account.closedAt().isAfter(at)) {
      throw CouponRefused.conflict(
          "organization_closed", "organization " + orgId + " is closed: nothing is billed");
    }
    Coupon coupon = CouponRows.find(c, couponId).orElseThrow();
    Optional<Redemption> earlier = RedemptionRows.ofCoupon(c, couponId, orgId);
    if (earlier.isPresent()) {
      return new Judged(coupon, earlier);
    }
    judgeCoupon(coupon, at);
    if (coupon.currency() != null && !coupon.currency().equals(account.currency())) {
      throw new CouponRefused(
          CouponRefused.Kind.CONFLICT,
          "currency_mismatch",
          null,
          "coupon %s takes %s off; the organization pays in %s"
              .formatted(coupon.id(), coupon.describeTerms(), account.currency()),
          Map.of("currency", coupon.currency()));
    }
    Optional<Redemption> running = RedemptionRows.active(c, orgId, at);
    if (running.isPresent()) {
      throw new CouponRefused(
          CouponRefused.Kind.CONFLICT,
          "discount_active",
          null,
          "the organization's discount from coupon %s runs until %s: one discount at a time"
              .formatted(
                  running.get().couponId(),
                  running.get().discountUntil() == null
                      ? "forever"
                      : running.get().discountUntil().toString()),
          Map.of("coupon_id", running.get().couponId()));
    }
    return new Judged(coupon, Optional.empty());
  }

  /** A coupon that may no longer be redeemed: deactivated, or past its {@code redeem_by}. */
  private static void judgeCoupon(Coupon coupon, Instant at) throws CouponRefused {
    if (!coupon.active()) {
      throw CouponRefused.conflict(
          "coupon_inactive", "coupon " + coupon.id() + " was deactivated: it is not redeemable");
    }
    if (coupon.redeemBy() != null && !at.isBefore(coupon.redeemBy())) {
      throw CouponRefused.conflict(
          "coupon_expired",
          "coupon " + coupon.id() + " could be redeemed until " + coupon.redeemBy());
    }
  }

  private static CouponRefused exhausted(Coupon coupon) {
    return CouponRefused.conflict(
        "coupon_exhausted",
        "coupon %s was redeemed %d times, its maximum"
            .formatted(coupon.id(), coupon.maxRedemptions()));
  }
}
