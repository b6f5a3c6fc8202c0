package io.streamspace.billing.coupons;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/**
 * The coupons and their codes as stored ({@code billing_coupons}, {@code
 * billing_promotion_codes}).
 */
final class CouponRows {

  /** A coupon's columns, of {@code billing_coupons c}, as {@link #read} reads them. */
  static final String COLUMNS =
      """
      c.id, c.percent_off, c.amount_off, c.currency, c.duration, c.duration_in_periods,
      c.applies_plans, c.applies_meters, c.applies_store, c.max_redemptions, c.redemptions,
      c.redeem_by, c.reason, c.actor_id, c.created_at, c.active, c.deactivated_at,
      ARRAY(SELECT p.code FROM billing_promotion_codes p WHERE p.coupon_id = c.id ORDER BY p.code)
        AS codes""";

  private static final NamedSql FIND =
      NamedSql.of("SELECT " + COLUMNS + " FROM billing_coupons c WHERE c.id = :id");

  private static final NamedSql LIST =
      NamedSql.of("SELECT " + COLUMNS + " FROM billing_coupons c ORDER BY c.created_at, c.id");

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_coupons (id, percent_off, amount_off, currency, duration,
              duration_in_periods, applies_plans, applies_meters, applies_store, max_redemptions,
              redeem_by, reason, actor_type, actor_id, created_at)
          VALUES (:id, :percent_off, :amount_off, :currency, :duration, :periods,
              :plans::text[], :meters::text[], :store, :max_redemptions, :redeem_by, :reason,
              :actor_type, :actor_id, :now)
          ON CONFLICT (id) DO NOTHING""");

  private static final NamedSql INSERT_CODES =
      NamedSql.of(
          """
          INSERT INTO billing_promotion_codes (code, coupon_id)
          SELECT unnest(:codes::text[]), :id""");

  private static final NamedSql CODES_TAKEN =
      NamedSql.of(
          "SELECT code FROM billing_promotion_codes WHERE code = ANY(:codes::text[]) ORDER BY 1");

  private static final NamedSql BY_CODE =
      NamedSql.of("SELECT coupon_id FROM billing_promotion_codes WHERE code = :code");

  // one redemption taken, when one is left and the coupon may still be redeemed: concurrent
  // takers wait for the row and see each other's, so no more than max_redemptions pass
  private static final NamedSql TAKE =
      NamedSql.of(
          """
          UPDATE billing_coupons SET redemptions = redemptions + 1
          WHERE id = :id AND active AND (max_redemptions IS NULL OR redemptions < max_redemptions)
            AND (redeem_by IS NULL OR redeem_by > :now)""");

  private static final NamedSql DEACTIVATE =
      NamedSql.of(
          "UPDATE billing_coupons SET active = false, deactivated_at = :now"
              + " WHERE id = :id AND active");

  private static final NamedSql STRIPE_COUPON =
      NamedSql.of("UPDATE billing_coupons SET stripe_coupon_id = :stripe WHERE id = :id");

  private static final NamedSql STRIPE_PROMOTION_CODE =
      NamedSql.of(
          "SELECT stripe_promotion_code_id FROM billing_promotion_codes WHERE code = :code");

  private static final NamedSql KEEP_STRIPE_PROMOTION_CODE =
      NamedSql.of(
          "UPDATE billing_promotion_codes SET stripe_promotion_code_id = :stripe"
              + " WHERE code = :code");

  private CouponRows() {}

  static Optional<Coupon> find(Connection c, String id) throws SQLException {
    try (PreparedStatement statement = FIND.bind("id", id).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(read(rs)) : Optional.empty();
    }
  }

  static List<Coupon> list(Connection c) throws SQLException {
    List<Coupon> coupons = new ArrayList<>();
    try (PreparedStatement statement = LIST.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        coupons.add(read(rs));
      }
    }
    return coupons;
  }

  /** Stores it with its codes; false when a coupon of its id exists (nothing stored). */
  static boolean insert(Connection c, NewCoupon coupon, Cause cause, Instant now)
      throws SQLException {
    int inserted =
        INSERT
            .bind("id", coupon.id())
            .bind("percent_off", coupon.percentOff())
            .bind("amount_off", coupon.amountOff())
            .bind(
                "currency", coupon.currency() == null ? null : coupon.currency().getCurrencyCode())
            .bind("duration", coupon.duration().value())
            .bind("periods", coupon.durationInPeriods())
            .bind("plans", SqlArrays.array(c, coupon.appliesTo().plans(), p -> p))
            .bind("meters", SqlArrays.array(c, coupon.appliesTo().meters(), m -> m))
            .bind("store", coupon.appliesTo().store())
            .bind("max_redemptions", coupon.maxRedemptions())
            .bind("redeem_by", coupon.redeemBy())
            .bind("reason", coupon.reason())
            .bind("actor_type", cause.actor().type().value())
            .bind("actor_id", cause.actor().id())
            .bind("now", now)
            .update(c);
    if (inserted == 0) {
      return false;
    }
    INSERT_CODES
        .bind("codes", SqlArrays.array(c, coupon.codes(), code -> code))
        .bind("id", coupon.id())
        .update(c);
    return true;
  }

  /** Which of {@code codes} another coupon has already. */
  static List<String> taken(Connection c, List<String> codes) throws SQLException {
    List<String> taken = new ArrayList<>();
    try (PreparedStatement statement =
            CODES_TAKEN.bind("codes", SqlArrays.array(c, codes, code -> code)).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        taken.add(rs.getString(1));
      }
    }
    return taken;
  }

  /** The coupon of a code (upper case), if it is one. */
  static Optional<String> couponOf(Connection c, String code) throws SQLException {
    try (PreparedStatement statement = BY_CODE.bind("code", code).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /** Takes one redemption of the coupon; false when none is left or it may not be redeemed. */
  static boolean take(Connection c, String id, Instant now) throws SQLException {
    return TAKE.bind("id", id).bind("now", now).update(c) == 1;
  }

  /** Deactivates it; false when it was not active. */
  static boolean deactivate(Connection c, String id, Instant now) throws SQLException {
    return DEACTIVATE.bind("id", id).bind("now", now).update(c) == 1;
  }

  static void keepStripeCoupon(Connection c, String id, String stripeId) throws SQLException {
    STRIPE_COUPON.bind("id", id).bind("stripe", stripeId).update(c);
  }

  /** The code's promotion code at Stripe, once mirrored. */
  static Optional<String> stripePromotionCode(Connection c, String code) throws SQLException {
    try (PreparedStatement statement = STRIPE_PROMOTION_CODE.bind("code", code).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  static void keepStripePromotionCode(Connection c, String code, String stripeId)
      throws SQLException {
    KEEP_STRIPE_PROMOTION_CODE.bind("code", code).bind("stripe", stripeId).update(c);
  }

  static Coupon read(ResultSet rs) throws SQLException {
    String currency = rs.getString("currency");
    BigDecimal amountOff = rs.getBigDecimal("amount_off");
    return new Coupon(
        rs.getString("id"),
        rs.getBigDecimal("percent_off"),
        amountOff == null ? null : Money.shown(amountOff, Currency.getInstance(currency)),
        currency,
        rs.getString("duration"),
        (Integer) rs.getObject("duration_in_periods"),
        new AppliesTo(
            texts(rs.getArray("applies_plans")),
            texts(rs.getArray("applies_meters")),
            rs.getBoolean("applies_store")),
        (Integer) rs.getObject("max_redemptions"),
        rs.getInt("redemptions"),
        Sql.instant(rs.getTimestamp("redeem_by")),
        texts(rs.getArray("codes")),
        rs.getString("reason"),
        rs.getString("actor_id"),
        Sql.instant(rs.getTimestamp("created_at")),
        rs.getBoolean("active"),
        Sql.instant(rs.getTimestamp("deactivated_at")));
  }

  private static List<String> texts(Array array) throws SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
