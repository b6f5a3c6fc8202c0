package io.streamspace.billing.winddown;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * What check-balances reads and writes: the organizations it looks at, whether money moved on
 * their balance before their hold changes, and the low-balance episodes ({@code
 * billing_balance_low}, V71, V75), each opened once across nodes and announced until recorded
 * as announced.
 */
final class WindDownStore {

  // The organizations on a prepaid plan with a session open (billing_sessions_open), and those
  // the wind-down left in a state to end: held for a spent balance, or warned of a low one. One
  // statement, each with its plan, what it is in, and its ledger's balance in its currency (read
  // before its live cost, for the hold's change to find whether money moved since).
  private static final NamedSql CANDIDATES =
      NamedSql.of(
          """
          SELECT o.org_id, b.plan_id,
                 EXISTS (SELECT 1 FROM billing_account_holds h
                         WHERE h.user_id = o.org_id AND h.reason = 'balance_exhausted'
                           AND h.lifted_at IS NULL),
                 EXISTS (SELECT 1 FROM billing_balance_low w
                         WHERE w.org_id = o.org_id AND w.ended_at IS NULL),
                 EXISTS (SELECT 1 FROM billing_balance_low w
                         WHERE w.org_id = o.org_id AND w.ended_at IS NULL
                           AND w.published_at IS NULL),
                 coalesce((SELECT p.balance FROM billing_prepaid_balances p
                           JOIN billing_accounts a ON a.user_id = p.org_id
                           WHERE p.org_id = o.org_id AND p.currency = a.currency), 0)
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

  private static final NamedSql BALANCE =
      NamedSql.of(
          """
          SELECT coalesce((SELECT p.balance FROM billing_prepaid_balances p
                           JOIN billing_accounts a ON a.user_id = p.org_id
                           WHERE p.org_id = :org_id AND p.currency = a.currency), 0)""");

  // the hold's change locks the account, then its balance, in the order finalization and the
  // ledger's posts take them, so a post of money waits for the change or the change for it
  private static final NamedSql LOCK_ACCOUNT =
      NamedSql.of("SELECT currency FROM billing_accounts WHERE user_id = :org_id FOR SHARE");

  private static final NamedSql LOCK_BALANCE =
      NamedSql.of(
          """
          SELECT balance FROM billing_prepaid_balances
          WHERE org_id = :org_id AND currency = :currency
          FOR UPDATE""");

  // an open episode not announced yet, claimed while it is announced (another node's check
  // skips it)
  private static final NamedSql UNANNOUNCED =
      NamedSql.of(
          """
          SELECT id, currency, balance, runway_seconds, warned_at FROM billing_balance_low
          WHERE org_id = :org_id AND ended_at IS NULL AND published_at IS NULL
          FOR UPDATE SKIP LOCKED""");

  private static final NamedSql ANNOUNCED =
      NamedSql.of("UPDATE billing_balance_low SET published_at = :now WHERE id = :id");

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
   * @param unannounced whether that episode's {@code billing.balance.low} is not published yet
   * @param ledger its ledger's balance in its currency as read before its live cost (0 without)
   */
  record Candidate(
      String orgId,
      String planId,
      boolean held,
      boolean warned,
      boolean unannounced,
      BigDecimal ledger) {}

  /** An open low-balance episode, as it was found. */
  record Episode(String currency, BigDecimal balance, long runwaySeconds, Instant warnedAt) {}

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
                rows.getString(1),
                rows.getString(2),
                rows.getBoolean(3),
                rows.getBoolean(4),
                rows.getBoolean(5),
                rows.getBigDecimal(6)));
      }
    }
    return found;
  }

  /** The organization's ledger balance in its currency (0 without one). */
  BigDecimal ledger(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = BALANCE.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  /**
   * In the transaction that places or lifts the organization's hold, first: locks its account,
   * then its balance in its currency, and compares the balance with {@code before}, read before
   * the live cost the change was decided by. Whether the change is still due: for a hold
   * ({@code placing}), no money arrived since (the balance is not above it); for a lift, none
   * left (not below it). A post of money committed after the lock waits for the change, and its
   * own news of the money then finds the hold.
   */
  static boolean unmoved(Connection connection, String orgId, BigDecimal before, boolean placing)
      throws SQLException {
    String currency;
    try (PreparedStatement statement = LOCK_ACCOUNT.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return false; // no account: nothing to hold
      }
      currency = rs.getString(1);
    }
    BigDecimal now = BigDecimal.ZERO;
    try (PreparedStatement statement =
            LOCK_BALANCE.bind("org_id", orgId).bind("currency", currency).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (rs.next()) {
        now = rs.getBigDecimal(1);
      }
    }
    int moved = now.compareTo(before);
    return placing ? moved <= 0 : moved >= 0;
  }

  /**
   * Publishes the organization's open episode not announced yet, if any and no other node is
   * announcing it, through {@code publish}, and records that it was, in one transaction: a stop
   * between the two leaves it unannounced for the next check (published again, not lost).
   *
   * @return whether this call published it
   */
  boolean announce(String orgId, Instant now, Consumer<Episode> publish) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          long id;
          Episode episode;
          try (PreparedStatement statement = UNANNOUNCED.bind("org_id", orgId).prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
              return false;
            }
            id = rs.getLong(1);
            episode =
                new Episode(
                    rs.getString(2),
                    rs.getBigDecimal(3),
                    rs.getLong(4),
                    rs.getTimestamp(5).toInstant());
          }
          publish.accept(episode);
          ANNOUNCED.bind("id", id).bind("now", now).update(connection);
          return true;
        });
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
