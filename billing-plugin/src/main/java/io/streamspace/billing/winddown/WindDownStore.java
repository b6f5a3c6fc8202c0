package io.streamspace.billing.winddown;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What check-balances reads and writes: the organizations it looks at, and the low-balance
 * episodes ({@code billing_balance_low}, V71), each opened once across nodes.
 */
final class WindDownStore {

  // The organizations on a prepaid plan with a session open (billing_sessions_open), and those
  // the wind-down left in a state to end: held for a spent balance, or warned of a low one. One
  // statement, each with its plan and what it is in.
  private static final NamedSql CANDIDATES =
      NamedSql.of(
          """
          SELECT o.org_id, b.plan_id,
                 EXISTS (SELECT 1 FROM billing_account_holds h
                         WHERE h.user_id = o.org_id AND h.reason = 'balance_exhausted'
                           AND h.lifted_at IS NULL),
                 EXISTS (SELECT 1 FROM billing_balance_low w
                         WHERE w.org_id = o.org_id AND w.ended_at IS NULL)
          FROM (SELECT s.org_id::text COLLATE "C" AS org_id FROM billing_sessions s
                JOIN billing_subscriptions p ON p.user_id = s.org_id AND p.ended_at IS NULL
                WHERE s.ended_at IS NULL AND p.plan_id = ANY (:prepaid::text[])
                UNION
                SELECT user_id FROM billing_account_holds
                WHERE reason = 'balance_exhausted' AND lifted_at IS NULL
                UNION
                SELECT org_id FROM billing_balance_low WHERE ended_at IS NULL) o
          JOIN billing_subscriptions b ON b.user_id = o.org_id AND b.ended_at IS NULL
          ORDER BY o.org_id""");

  private static final NamedSql OPEN =
      NamedSql.of(
          """
          INSERT INTO billing_balance_low (org_id, currency, balance, runway_seconds, warned_at)
          VALUES (:org_id, :currency, :balance, :runway_seconds, :now)
          ON CONFLICT (org_id) WHERE ended_at IS NULL DO NOTHING""");

  private static final NamedSql END =
      NamedSql.of(
          """
          UPDATE billing_balance_low SET ended_at = :now
          WHERE org_id = :org_id AND ended_at IS NULL""");

  /**
   * An organization to look at.
   *
   * @param held whether it is held for a spent balance
   * @param warned whether a low-balance episode of it is open
   */
  record Candidate(String orgId, String planId, boolean held, boolean warned) {}

  private final DataSource dataSource;

  WindDownStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  List<Candidate> candidates(List<String> prepaidPlans) throws SQLException {
    List<Candidate> found = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            CANDIDATES
                .bind("prepaid", SqlArrays.array(connection, prepaidPlans, id -> id))
                .prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        found.add(
            new Candidate(
                rows.getString(1), rows.getString(2), rows.getBoolean(3), rows.getBoolean(4)));
      }
    }
    return found;
  }

  /** Opens the organization's low-balance episode: whether this call opened it. */
  boolean open(String orgId, String currency, BigDecimal balance, long runwaySeconds, Instant now)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return OPEN.bind("org_id", orgId)
              .bind("currency", currency)
              .bind("balance", balance)
              .bind("runway_seconds", runwaySeconds)
              .bind("now", now)
              .update(connection)
          == 1;
    }
  }

  /** Ends the organization's open low-balance episode, if any. */
  void end(String orgId, Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      END.bind("org_id", orgId).bind("now", now).update(connection);
    }
  }
}
