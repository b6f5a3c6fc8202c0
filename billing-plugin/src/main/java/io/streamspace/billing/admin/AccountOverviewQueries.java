package io.streamspace.billing.admin;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageStatement;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

  private static final NamedSql PAGE =
      NamedSql.of(
          """
          -- the page of accounts is chosen first; user_id filters by prefix (a LIKE pattern
          -- that ends in its wildcard, which the C-collated primary key serves): the exact id
          -- is its own prefix
          WITH page AS (
            SELECT a.user_id, a.email, a.currency, a.status, s.plan_id
            FROM billing_accounts a
            JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
            WHERE (CAST(:status AS text) IS NULL OR a.status = :status)
              AND (CAST(:pattern AS text) IS NULL OR a.user_id LIKE :pattern ESCAPE '\\')
            ORDER BY a.user_id
            LIMIT :limit OFFSET :offset)
          -- one row per (account, resource, unit price) of the current period's usage, or one
          -- row with null usage for an account without any; the account's other figures repeat
          -- on each of its rows
          SELECT p.user_id, p.email, p.currency, p.status, p.plan_id,
                 (SELECT coalesce(sum(i.total), 0) FROM billing_invoices i
                   WHERE i.user_id = p.user_id AND i.status IN ('sent', 'overdue')) AS outstanding,
                 (SELECT coalesce(sum(c.remaining), 0) FROM billing_credits c
                   WHERE c.user_id = p.user_id AND (c.expires_at IS NULL OR c.expires_at > :now))
                   AS credit,
                 (SELECT coalesce(array_agg(h.reason ORDER BY h.placed_at, h.id), '{}')
                   FROM billing_account_holds h
                   WHERE h.user_id = p.user_id AND h.lifted_at IS NULL) AS holds,
                 u.resource_type, u.unit_price, u.unit_seconds, u.priced_unit_seconds
          FROM page p
          -- usage summed exactly as for GET /usage, and rounded per line in Java
          LEFT JOIN LATERAL (
            SELECT %s
            FROM billing_usage_records r
            WHERE r.user_id = p.user_id
              AND r.slice_start >= :period_start AND r.slice_start < :period_end
            GROUP BY r.resource_type, r.unit_price) u ON true
          ORDER BY p.user_id, u.resource_type, u.unit_price
          """
              .formatted(UsageRecordRepository.SUMMED));

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
        PreparedStatement statement =
            PAGE.bind("status", status)
                .bind("pattern", pattern)
                .bind("limit", limit)
                .bind("offset", offset)
                .bind("now", now)
                .bind("period_start", periodStart)
                .bind("period_end", periodEnd)
                .prepare(connection)) {
      List<AccountOverview> overviews = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        boolean more = rs.next();
        while (more) {
          String userId = rs.getString("user_id");
          Currency currency = Currency.getInstance(rs.getString("currency"));
          String email = rs.getString("email");
          String accountStatus = rs.getString("status");
          String planId = rs.getString("plan_id");
          List<String> holds = List.of((String[]) rs.getArray("holds").getArray());
          BigDecimal outstanding = Money.shown(rs.getBigDecimal("outstanding"), currency);
          BigDecimal credit = Money.shown(rs.getBigDecimal("credit"), currency);
          List<UsageSum> sums = new ArrayList<>();
          do {
            if (rs.getString("resource_type") != null) {
              sums.add(UsageRecordRepository.sum(rs));
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
                  accountStatus,
                  holds));
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
