package io.streamspace.billing.spend;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Spending limits as stored ({@code billing_spending_limits}), and the alerts claimed. */
final class SpendingLimitStore {

  // since when it is reached is kept: the check that follows clears it if no longer so
  private static final NamedSql PUT =
      NamedSql.of(
          """
          INSERT INTO billing_spending_limits
            (user_id, amount, warn_at_percent, action, set_by, set_at)
          VALUES (:user_id, :amount, :warn_at_percent, :action, :set_by, :set_at)
          ON CONFLICT (user_id) DO UPDATE SET amount = excluded.amount,
            warn_at_percent = excluded.warn_at_percent, action = excluded.action,
            set_by = excluded.set_by, set_at = excluded.set_at""");

  private static final NamedSql DELETE =
      NamedSql.of("DELETE FROM billing_spending_limits WHERE user_id = :user_id");

  // all of them (for check-quotas) but a closed organization's, whose limit stops at its
  // closing; or the one of an account, closed or not (it is still shown)
  private static final NamedSql LIMITS =
      NamedSql.of(
          """
          SELECT l.user_id, l.amount, l.warn_at_percent, l.action, l.set_by, l.set_at
          FROM billing_spending_limits l
          WHERE (CAST(:user_id AS text) IS NULL
                 AND NOT EXISTS (SELECT 1 FROM billing_accounts a
                                 WHERE a.user_id = l.user_id AND a.closed_at IS NOT NULL))
             OR l.user_id = :user_id
          ORDER BY l.user_id""");

  // the first check of a period to find the limit reached sets when; the others keep it
  private static final NamedSql MARK_REACHED =
      NamedSql.of(
          """
          UPDATE billing_spending_limits
          SET reached_at = CASE WHEN reached_period = :period THEN reached_at ELSE :now END,
              reached_period = :period
          WHERE user_id = :user_id
          RETURNING reached_at""");

  private static final NamedSql CLEAR_REACHED =
      NamedSql.of(
          """
          UPDATE billing_spending_limits SET reached_at = NULL, reached_period = NULL
          WHERE user_id = :user_id AND reached_at IS NOT NULL""");

  private static final NamedSql REACHED_AT =
      NamedSql.of(
          """
          SELECT reached_at FROM billing_spending_limits
          WHERE user_id = :user_id AND reached_period = :period""");

  private static final NamedSql CLAIM_ALERT =
      NamedSql.of(
          """
          INSERT INTO billing_spend_alerts
            (user_id, threshold, period_start, estimate, amount, sent_at)
          VALUES (:user_id, :threshold, :period_start, :estimate, :amount, :now)
          ON CONFLICT DO NOTHING""");

  private final DataSource dataSource;

  SpendingLimitStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Stores the limit with its {@code spending_limit.set} entry (the one replaced before). */
  void put(SpendingLimit limit, Cause cause) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          Optional<SpendingLimit> before = read(connection, limit.accountId()).stream().findFirst();
          PUT.bind("user_id", limit.accountId())
              .bind("amount", limit.amount())
              .bind("warn_at_percent", limit.warnAtPercent())
              .bind("action", limit.action().jsonName())
              .bind("set_by", limit.setBy())
              .bind("set_at", limit.setAt())
              .update(connection);
          audit(connection, AuditKinds.SPENDING_LIMIT_SET, before, limit, limit.setAt(), cause);
          return null;
        });
  }

  /** Whether there was a limit to delete; one deleted writes its entry. */
  boolean delete(String orgId, Instant now, Cause cause) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          Optional<SpendingLimit> before = read(connection, orgId).stream().findFirst();
          boolean deleted = DELETE.bind("user_id", orgId).update(connection) == 1;
          if (deleted) {
            audit(connection, AuditKinds.SPENDING_LIMIT_REMOVED, before, null, now, cause);
          }
          return deleted;
        });
  }

  private static void audit(
      Connection connection,
      String kind,
      Optional<SpendingLimit> before,
      SpendingLimit after,
      Instant now,
      Cause cause)
      throws SQLException {
    String orgId = after != null ? after.accountId() : before.orElseThrow().accountId();
    AuditTrail.record(
        connection,
        new AuditEntry(
            now, cause, orgId, kind, "spending_limit:" + orgId, before.orElse(null), after));
  }

  /** The amount of every open organization's limit whose action is {@code block}, by org. */
  Map<String, BigDecimal> blockLimits() throws SQLException {
    Map<String, BigDecimal> limits = new HashMap<>();
    for (SpendingLimit limit : all()) {
      if (limit.action() == SpendAction.BLOCK) {
        limits.put(limit.accountId(), limit.amount());
      }
    }
    return limits;
  }

  Optional<SpendingLimit> of(String orgId) throws SQLException {
    return read(orgId).stream().findFirst();
  }

  List<SpendingLimit> all() throws SQLException {
    return read(null);
  }

  private List<SpendingLimit> read(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return read(connection, orgId);
    }
  }

  private static List<SpendingLimit> read(Connection connection, String orgId) throws SQLException {
    List<SpendingLimit> limits = new ArrayList<>();
    try (PreparedStatement statement = LIMITS.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        limits.add(
            new SpendingLimit(
                rs.getString(1),
                rs.getBigDecimal(2),
                rs.getInt(3),
                SpendAction.named(rs.getString(4)).orElseThrow(),
                rs.getString(5),
                Sql.instant(rs.getTimestamp(6))));
      }
    }
    return limits;
  }

  /** The limit is reached in the period starting at {@code period}: since when (kept). */
  Optional<Instant> markReached(String orgId, Instant period, Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            MARK_REACHED
                .bind("user_id", orgId)
                .bind("period", period)
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(Sql.instant(rs.getTimestamp(1))) : Optional.empty();
    }
  }

  void clearReached(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      CLEAR_REACHED.bind("user_id", orgId).update(connection);
    }
  }

  /** Since when the limit is reached in the period starting at {@code period}, if it is. */
  Optional<Instant> reachedAt(String orgId, Instant period) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            REACHED_AT.bind("user_id", orgId).bind("period", period).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.ofNullable(Sql.instant(rs.getTimestamp(1))) : Optional.empty();
    }
  }

  /** Whether this call made the alert's row (so it is the one to publish it). */
  boolean claimAlert(
      String orgId,
      String threshold,
      Instant periodStart,
      BigDecimal estimate,
      BigDecimal amount,
      Instant now)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return CLAIM_ALERT
              .bind("user_id", orgId)
              .bind("threshold", threshold)
              .bind("period_start", periodStart)
              .bind("estimate", estimate)
              .bind("amount", amount)
              .bind("now", now)
              .update(connection)
          == 1;
    }
  }
}
