package io.streamspace.billing.coupons;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Coupons and their promotion codes: created and deactivated by a platform admin, redeemed by an
 * organization's Owner ({@link Redeeming}). Each change is one transaction with its audit entry
 * ({@code coupon.created}, {@code coupon.deactivated}, {@code coupon.redeemed}); a refusal
 * ({@link CouponRefused}) changes nothing.
 */
public final class Coupons {

  /**
   * A coupon created, or answered again.
   *
   * @param fresh false when a coupon of the same id and terms existed: nothing was done now
   */
  public record Created(Coupon coupon, boolean fresh) {}

  // unique_violation: another coupon stored one of its codes meanwhile
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Redeeming redeeming;

  public Coupons(DataSource dataSource, BillingEvents events, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.events = events;
    this.config = config;
    this.redeeming = new Redeeming(this::periods);
  }

  /**
   * Creates the coupon with its codes. A coupon of the same id with the same terms answers it
   * ({@code fresh} false): a retry does nothing twice.
   *
   * @throws CouponRefused 400 naming the field ({@link CouponChecks}); 409 {@code coupon_exists}
   *     (its id has other terms), {@code code_taken} (a code is another coupon's)
   */
  public Created create(NewCoupon coupon, Cause cause, Instant now)
      throws SQLException, CouponRefused {
    CouponChecks.check(coupon, config.get(), now);
    try {
      return Transactions.inTransaction(dataSource, c -> create(c, coupon, cause, now));
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        // another coupon took one of its codes meanwhile
        throw codesTaken(coupon.codes());
      }
      throw e;
    }
  }

  private static Created create(Connection c, NewCoupon coupon, Cause cause, Instant now)
      throws SQLException, CouponRefused {
    Optional<Coupon> existing = CouponRows.find(c, coupon.id());
    if (existing.isEmpty()) {
      List<String> taken = CouponRows.taken(c, coupon.codes());
      if (!taken.isEmpty()) {
        throw codesTaken(taken);
      }
      if (CouponRows.insert(c, coupon, cause, now)) {
        Coupon created = CouponRows.find(c, coupon.id()).orElseThrow();
        AuditTrail.record(
            c,
            new AuditEntry(
                now, cause, null, AuditKinds.COUPON_CREATED, subject(coupon.id()), null, created));
        return new Created(created, true);
      }
      existing = CouponRows.find(c, coupon.id()); // created by another request meanwhile
    }
    if (!sameTerms(existing.orElseThrow(), coupon)) {
      throw CouponRefused.conflict(
          "coupon_exists", "coupon " + coupon.id() + " exists with other terms");
    }
    return new Created(existing.get(), false);
  }

  private static CouponRefused codesTaken(List<String> codes) {
    return CouponRefused.conflict(
        "code_taken", "a code is another coupon's already: " + String.join(", ", codes));
  }

  /** Every coupon, oldest first. */
  public List<Coupon> list() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return CouponRows.list(c);
    }
  }

  public Optional<Coupon> find(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return CouponRows.find(c, id);
    }
  }

  /**
   * Deactivates it: no longer redeemable; what was redeemed of it goes on discounting its
   * periods. Deactivating an inactive coupon answers it as it is.
   *
   * @throws CouponRefused 404 for an unknown coupon
   */
  public Coupon deactivate(String id, Cause cause, Instant now) throws SQLException, CouponRefused {
    return Transactions.inTransaction(
        dataSource,
        c -> {
          Coupon before =
              CouponRows.find(c, id).orElseThrow(() -> CouponRefused.notFound("no coupon " + id));
          if (!CouponRows.deactivate(c, id, now)) {
            return before;
          }
          Coupon after = CouponRows.find(c, id).orElseThrow();
          AuditTrail.record(
              c,
              new AuditEntry(
                  now, cause, null, AuditKinds.COUPON_DEACTIVATED, subject(id), before, after));
          return after;
        });
  }

  /** The coupon's report; empty for an unknown coupon. */
  public Optional<CouponReport> report(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Optional<Coupon> coupon = CouponRows.find(c, id);
      return coupon.isEmpty() ? Optional.empty() : Optional.of(CouponReport.of(c, coupon.get()));
    }
  }

  /**
   * Redeems a code for an organization in a transaction of its own, then announces it ({@code
   * billing.coupon.redeemed}, once).
   *
   * @see Redeeming#redeem
   */
  public Redeeming.Redeemed redeem(Redeeming.Request request, Redeeming.AtStripe atStripe)
      throws SQLException, CouponRefused {
    Redeeming.Redeemed redeemed =
        Transactions.inTransaction(dataSource, c -> redeeming.redeem(c, request, atStripe));
    announce(redeemed);
    return redeemed;
  }

  /** {@link #redeem}, in the caller's transaction (a Checkout's completion): announce after. */
  public Redeeming.Redeemed redeem(Connection c, Redeeming.Request request)
      throws SQLException, CouponRefused {
    return redeeming.redeem(c, request, Redeeming.AtStripe.NOTHING);
  }

  /**
   * Whether the organization could redeem the code now, as {@link #redeem} judges it, changing
   * nothing (a plan Checkout checks the code it is asked to carry); answers its coupon.
   */
  public Coupon check(String orgId, String code, Instant now) throws SQLException, CouponRefused {
    try (Connection c = dataSource.getConnection()) {
      return redeeming.check(c, orgId, code, now);
    }
  }

  /** After the commit of a fresh redemption: {@code billing.coupon.redeemed}. */
  public void announce(Redeeming.Redeemed redeemed) {
    if (redeemed.fresh()) {
      events.publish(BillingEvents.COUPON_REDEEMED, redeemed.redemption());
    }
  }

  /** The organization's discount at {@code now}: the redemption discounting its periods. */
  public Optional<Redemption> active(String orgId, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return active(c, orgId, now);
    }
  }

  /** {@link #active(String, Instant)} on the caller's connection, in its transaction. */
  public Optional<Redemption> active(Connection c, String orgId, Instant now) throws SQLException {
    return RedemptionRows.active(c, orgId, now);
  }

  /** The code's promotion code at Stripe, once mirrored (a subscription Checkout carries it). */
  public Optional<String> stripePromotionCode(String code) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return CouponRows.stripePromotionCode(c, Redeeming.normalized(code));
    }
  }

  /**
   * Keeps what mirroring the coupon to Stripe made: its Stripe coupon, and the promotion code of
   * {@code code} when one was made (null: none).
   */
  public void keepStripeIds(
      String couponId, String stripeCouponId, String code, String stripePromotionCode)
      throws SQLException {
    Transactions.inTransaction(
        dataSource,
        c -> {
          CouponRows.keepStripeCoupon(c, couponId, stripeCouponId);
          if (stripePromotionCode != null) {
            CouponRows.keepStripePromotionCode(c, Redeeming.normalized(code), stripePromotionCode);
          }
          return null;
        });
  }

  /** {@link #keepStripeIds} of the coupon alone, in the caller's transaction. */
  public static void keepStripeCoupon(Connection c, String couponId, String stripeCouponId)
      throws SQLException {
    CouponRows.keepStripeCoupon(c, couponId, stripeCouponId);
  }

  private BillingPeriods periods() {
    BillingConfig current = config.get();
    return new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
  }

  static String subject(String couponId) {
    return "coupon:" + couponId;
  }

  /** Whether the stored coupon is what {@code coupon} asks for (a retry of its creation). */
  private static boolean sameTerms(Coupon existing, NewCoupon coupon) {
    return same(existing.percentOff(), coupon.percentOff())
        && same(existing.amountOff(), coupon.amountOff())
        && Objects.equals(
            existing.currency(),
            coupon.currency() == null ? null : coupon.currency().getCurrencyCode())
        && existing.duration().equals(coupon.duration().value())
        && Objects.equals(existing.durationInPeriods(), coupon.durationInPeriods())
        && existing.appliesTo().equals(coupon.appliesTo())
        && Objects.equals(existing.maxRedemptions(), coupon.maxRedemptions())
        && Objects.equals(existing.redeemBy(), coupon.redeemBy())
        && existing.codes().equals(coupon.codes().stream().sorted().toList());
  }

  private static boolean same(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }
}
