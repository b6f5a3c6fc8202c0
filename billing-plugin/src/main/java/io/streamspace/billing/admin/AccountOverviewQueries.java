package io.streamspace.billing.admin;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageStatement;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import javax.sql.DataSource;

/**
 * The admin overview of accounts, a page at a time, in one statement: the page of accounts is
 * chosen first, and only its accounts' invoices, credits and usage are summed.
 */
public final class AccountOverviewQueries {

  /**
   * One row per (account, resource, unit price) of the current period's usage, or one row with
   * null usage for an account without any; the account's other figures repeat on each of its
   * rows. Usage is summed exactly as for {@code GET /usage} and rounded per line in Java.
   * {@code user_id} filters by prefix ({@code LIKE 'x%'}, which the C-collated primary key
   * serves); the exact id is its own prefix.
   */
  private static final String PAGE =
      """
      WITH page AS (
        SELECT a.user_id, a.email, a.currency, a.status, s.plan_id
        FROM billing_accounts a
        JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
        WHERE (CAST(? AS text) IS NULL OR a.status = ?)
          AND (CAST(? AS text) IS NULL OR a.user_id LIKE ? ESCAPE '\\')
        ORDER BY a.user_id
        LIMIT ? OFFSET ?)
      SELECT p.user_id, p.email, p.currency, p.status, p.plan_id,
             (SELECT coalesce(sum(i.total), 0) FROM billing_invoices i
               WHERE i.user_id = p.user_id AND i.status IN ('sent', 'overdue')) AS outstanding,
             (SELECT coalesce(sum(c.remaining), 0) FROM billing_credits c
               WHERE c.user_id = p.user_id AND (c.expires_at IS NULL OR c.expires_at > ?))
               AS credit,
             u.resource_type, u.unit_price, u.unit_seconds, u.priced_unit_seconds
      FROM page p
      LEFT JOIN LATERAL (
        SELECT r.resource_type, r.unit_price, sum(r.unit_seconds) AS unit_seconds,
               sum(r.unit_seconds * r.unit_price) AS priced_unit_seconds
        FROM billing_usage_records r
        WHERE r.user_id = p.user_id AND r.slice_start >= ? AND r.slice_start < ?
        GROUP BY r.resource_type, r.unit_price) u ON true
      ORDER BY p.user_id, u.resource_type, u.unit_price
      """;

  private final DataSource dataSource;

  public AccountOverviewQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Accounts ordered by user id, {@code limit} from {@code offset}.
   *
   * @param status       only accounts of this status; null for any
   * @param userIdPrefix only accounts whose user id starts with this; null for any
   * @param periodStart  the current billing period, whose usage is the current cost
   * @param now          what "expired" is judged against for credits
   */
  public List<AccountOverview> page(
      String status,
      String userIdPrefix,
      int limit,
      int offset,
      Instant periodStart,
      Instant periodEnd,
      Instant now)
      throws SQLException {
    String pattern = userIdPrefix == null ? null : escapeLike(userIdPrefix) + "%";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(PAGE)) {
      statement.setString(1, status);
      statement.setString(2, status);
      statement.setString(3, pattern);
      statement.setString(4, pattern);
      statement.setInt(5, limit);
      statement.setInt(6, offset);
      statement.setTimestamp(7, Timestamp.from(now));
      statement.setTimestamp(8, Timestamp.from(periodStart));
      statement.setTimestamp(9, Timestamp.from(periodEnd));
      List<AccountOverview> overviews = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        boolean more = rs.next();
        while (more) {
          String userId = rs.getString("user_id");
          Currency currency = Currency.getInstance(rs.getString("currency"));
          String email = rs.getString("email");
          String accountStatus = rs.getString("status");
          String planId = rs.getString("plan_id");
          BigDecimal outstanding = Money.shown(rs.getBigDecimal("outstanding"), currency);
          BigDecimal credit = Money.shown(rs.getBigDecimal("credit"), currency);
          List<UsageSum> sums = new ArrayList<>();
          do {
            if (rs.getString("resource_type") != null) {
              sums.add(
                  new UsageSum(
                      UsageUnit.ofResourceType(rs.getString("resource_type")),
                      rs.getBigDecimal("unit_price"),
                      rs.getBigDecimal("unit_seconds"),
                      rs.getBigDecimal("priced_unit_seconds")));
            }
            more = rs.next();
          } while (more && rs.getString("user_id").equals(userId));
          BigDecimal cost =
              UsageStatement.of(userId, periodStart, periodEnd, currency, sums).totalCost();
          overviews.add(
              new AccountOverview(
                  userId,
                  email,
                  planId,
                  currency.getCurrencyCode(),
                  cost,
                  outstanding,
                  credit,
                  accountStatus));
        }
      }
      return overviews;
    }
  }

  /** The text matched literally by LIKE: its wildcards and the escape character escaped. */
  private static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
