package io.streamspace.billing.coupons;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.stripe.SubscriptionCharges;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which redemptions discount which invoices, read for a chunk of invoices by one statement: an
 * invoice is discounted by each redemption of its organization whose periods hold the invoice's
 * start ({@code discount_from ≤ period_start < discount_until}) and that was redeemed before its
 * end (an admin's invoice of a few days is not discounted by a code redeemed after them).
 */
public final class Coverage {

  private static final NamedSql COVERING =
      NamedSql.of(
          """
          SELECT w.ord, r.id AS redemption_id, r.code AS redeemed_code,
                 charging.subscription_id AS stripe_subscription,
                 charging.started_at AS stripe_fees_from, %s
          FROM unnest(:org::text[], :period_start::text[]::timestamptz[],
                      :period_end::text[]::timestamptz[])
               WITH ORDINALITY AS w(org_id, period_start, period_end, ord)
          JOIN billing_coupon_redemptions r
            ON r.org_id = w.org_id AND r.discount_from <= w.period_start
           AND (r.discount_until IS NULL OR r.discount_until > w.period_start)
           AND r.redeemed_at < w.period_end
          JOIN billing_coupons c ON c.id = r.coupon_id
          LEFT JOIN LATERAL (%s) charging ON true
          ORDER BY w.ord, r.redeemed_at, r.id"""
              .formatted(
                  CouponRows.COLUMNS,
                  // c is the Subscription here; the coupon's columns are read above
                  SubscriptionCharges.charging("w.org_id", "w.period_start", "w.period_end")));

  /** One invoice's organization and range. */
  public record Invoiced(String orgId, Instant periodStart, Instant periodEnd) {}

  private Coverage() {}

  /** The discounts of each invoice, in their order; each list in the order they were redeemed. */
  public static List<List<Discount>> discounts(Connection c, List<Invoiced> invoices)
      throws SQLException {
    List<List<Discount>> discounts = new ArrayList<>(invoices.size());
    invoices.forEach(i -> discounts.add(new ArrayList<>()));
    if (invoices.isEmpty()) {
      return discounts;
    }
    try (PreparedStatement statement =
            COVERING
                .bind("org", SqlArrays.array(c, invoices, Invoiced::orgId))
                .bind("period_start", SqlArrays.array(c, invoices, Invoiced::periodStart))
                .bind("period_end", SqlArrays.array(c, invoices, Invoiced::periodEnd))
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        discounts
            .get(rs.getInt(1) - 1)
            .add(
                CouponRows.read(rs)
                    .discount(rs.getLong("redemption_id"), rs.getString("redeemed_code"))
                    .withStripeFees(
                        rs.getString("stripe_subscription") == null
                            ? null
                            : new Discount.StripeFees(
                                Sql.instant(rs.getTimestamp("stripe_fees_from")))));
      }
    }
    return discounts;
  }
}
