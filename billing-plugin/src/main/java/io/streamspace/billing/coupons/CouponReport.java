package io.streamspace.billing.coupons;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a coupon gave away ({@code GET /admin/coupons/{id}/report}): how many organizations
 * redeemed it, and what its discount lines took off their finalized invoices (sent, paid or
 * overdue; a void invoice's lines count nothing), per currency and per organization.
 *
 * @param discounted per currency: the amount off and on how many invoices, by currency code
 * @param byOrganization each redemption, oldest first, with what it took off so far
 */
public record CouponReport(
    String couponId,
    int redemptions,
    int organizations,
    List<Discounted> discounted,
    List<ByOrganization> byOrganization) {

  /** What the coupon took off in one currency. */
  public record Discounted(String currency, BigDecimal amount, long invoices) {}

  /** One organization's redemption and what it took off its invoices in one currency. */
  public record ByOrganization(
      String orgId,
      String code,
      Instant redeemedAt,
      String via,
      Instant discountFrom,
      Instant discountUntil,
      String currency,
      BigDecimal discounted,
      long invoices) {}

  // a row per redemption and currency its discount lines were invoiced in (the account's when
  // it has none yet)
  private static final NamedSql BY_ORGANIZATION =
      NamedSql.of(
          """
          SELECT r.org_id, r.code, r.redeemed_at, r.via, r.discount_from, r.discount_until,
                 coalesce(i.currency, a.currency) AS currency,
                 coalesce(-sum(l.amount) FILTER (WHERE i.status IN ('sent', 'paid', 'overdue')),
                          0) AS discounted,
                 count(DISTINCT i.id) FILTER (WHERE i.status IN ('sent', 'paid', 'overdue'))
                   AS invoices
          FROM billing_coupon_redemptions r
          JOIN billing_accounts a ON a.user_id = r.org_id
          LEFT JOIN billing_invoice_lines l ON l.redemption_id = r.id
          LEFT JOIN billing_invoices i ON i.id = l.invoice_id
          WHERE r.coupon_id = :coupon
          GROUP BY r.id, coalesce(i.currency, a.currency)
          ORDER BY r.redeemed_at, r.id, 7""");

  static CouponReport of(Connection c, Coupon coupon) throws SQLException {
    String couponId = coupon.id();
    List<ByOrganization> rows = new ArrayList<>();
    try (PreparedStatement statement = BY_ORGANIZATION.bind("coupon", couponId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString("currency"));
        rows.add(
            new ByOrganization(
                rs.getString("org_id"),
                rs.getString("code"),
                Sql.instant(rs.getTimestamp("redeemed_at")),
                rs.getString("via"),
                Sql.instant(rs.getTimestamp("discount_from")),
                Sql.instant(rs.getTimestamp("discount_until")),
                currency.getCurrencyCode(),
                Money.shown(rs.getBigDecimal("discounted"), currency),
                rs.getLong("invoices")));
      }
    }
    Map<String, Discounted> perCurrency = new TreeMap<>();
    for (ByOrganization row : rows) {
      perCurrency.merge(
          row.currency(),
          new Discounted(row.currency(), row.discounted(), row.invoices()),
          (a, b) ->
              new Discounted(
                  a.currency(), a.amount().add(b.amount()), a.invoices() + b.invoices()));
    }
    int organizations = (int) rows.stream().map(ByOrganization::orgId).distinct().count();
    return new CouponReport(
        couponId, coupon.redemptions(), organizations, List.copyOf(perCurrency.values()), rows);
  }
}
