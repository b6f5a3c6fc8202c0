package io.streamspace.billing.coupons;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The redemptions as stored ({@code billing_coupon_redemptions}). */
final class RedemptionRows {

  private static final String COLUMNS =
      """
      r.id, r.org_id, r.coupon_id, r.code, r.redeemed_at, r.via, r.discount_from,
      r.discount_until, r.actor_id""";

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_coupon_redemptions (coupon_id, code, org_id, redeemed_at, via,
              checkout_session, discount_from, discount_until, actor_type, actor_id)
          VALUES (:coupon, :code, :org, :at, :via, :session, :from, :until, :actor_type,
              :actor_id)
          RETURNING id""");

  private static final NamedSql OF_COUPON =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_coupon_redemptions r"
              + " WHERE r.coupon_id = :coupon AND r.org_id = :org");

  // the one discounting a period at or after now: the latest, should two ever be
  private static final NamedSql ACTIVE =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_coupon_redemptions r"
              + " WHERE r.org_id = :org AND (r.discount_until IS NULL OR r.discount_until > :now)"
              + " ORDER BY r.discount_from DESC, r.id DESC LIMIT 1");

  // the account's row held: one organization's redemptions (and its invoices' finalization,
  // which holds it too) take turns
  private static final NamedSql LOCK_ACCOUNT =
      NamedSql.of(
          "SELECT currency, closed_at FROM billing_accounts WHERE user_id = :org"
              + " FOR NO KEY UPDATE");

  private static final NamedSql ACCOUNT =
      NamedSql.of("SELECT currency, closed_at FROM billing_accounts WHERE user_id = :org");

  private RedemptionRows() {}

  /** A redemption to store: who redeemed what, when, and the periods it discounts. */
  record NewRedemption(
      String couponId,
      String code,
      String orgId,
      Instant at,
      String via,
      String checkoutSession,
      Instant from,
      Instant until,
      Cause cause) {}

  static long insert(Connection c, NewRedemption r) throws SQLException {
    try (PreparedStatement statement =
            INSERT
                .bind("coupon", r.couponId())
                .bind("code", r.code())
                .bind("org", r.orgId())
                .bind("at", r.at())
                .bind("via", r.via())
                .bind("session", r.checkoutSession())
                .bind("from", r.from())
                .bind("until", r.until())
                .bind("actor_type", r.cause().actor().type().value())
                .bind("actor_id", r.cause().actor().id())
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The organization's redemption of the coupon, if it made one. */
  static Optional<Redemption> ofCoupon(Connection c, String couponId, String orgId)
      throws SQLException {
    return one(c, OF_COUPON.bind("coupon", couponId).bind("org", orgId));
  }

  /** The redemption discounting the organization's period at or after {@code now}, if any. */
  static Optional<Redemption> active(Connection c, String orgId, Instant now) throws SQLException {
    return one(c, ACTIVE.bind("org", orgId).bind("now", now));
  }

  /** The organization's account as a redemption needs it, its row held. */
  record Account(String currency, Instant closedAt) {}

  static Optional<Account> lockAccount(Connection c, String orgId) throws SQLException {
    return account(c, LOCK_ACCOUNT.bind("org", orgId));
  }

  /** The organization's account, nothing held. */
  static Optional<Account> account(Connection c, String orgId) throws SQLException {
    return account(c, ACCOUNT.bind("org", orgId));
  }

  private static Optional<Account> account(Connection c, NamedSql.Binding query)
      throws SQLException {
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(new Account(rs.getString(1), Sql.instant(rs.getTimestamp(2))))
          : Optional.empty();
    }
  }

  private static Optional<Redemption> one(Connection c, NamedSql.Binding query)
      throws SQLException {
    List<Redemption> found = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String couponId = rs.getString("coupon_id");
        Coupon coupon = CouponRows.find(c, couponId).orElseThrow();
        found.add(
            new Redemption(
                rs.getLong("id"),
                rs.getString("org_id"),
                couponId,
                rs.getString("code"),
                Sql.instant(rs.getTimestamp("redeemed_at")),
                rs.getString("via"),
                Sql.instant(rs.getTimestamp("discount_from")),
                Sql.instant(rs.getTimestamp("discount_until")),
                rs.getString("actor_id"),
                Redemption.Terms.of(coupon)));
      }
    }
    return found.stream().findFirst();
  }
}
