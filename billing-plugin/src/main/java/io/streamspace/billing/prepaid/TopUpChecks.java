package io.streamspace.billing.prepaid;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The crossings of auto top-up rules ({@code billing_top_up_rules}): a check finds an
 * organization's available balance below its rule's threshold, opens a crossing (since when) and
 * queues an attempt to charge it ({@code billing_top_up_charges}, due at once), unless one is
 * pending or sent already (a unique index: one in flight per organization, whatever node
 * checks) or the crossing is halted (no payment method, every retry declined, the monthly cap):
 * each of those is told once a crossing, then waits for what lifts it. The crossing closes once
 * the balance is back at or above the threshold. Each statement works on the caller's
 * connection and transaction, and locks rules after balances, before charges.
 */
public final class TopUpChecks {

  // what the balance of a rule's organization has available; 0 before it held any
  private static final String AVAILABLE =
      """
      coalesce((SELECT b.balance - b.reserved FROM billing_prepaid_balances b
                WHERE b.org_id = r.org_id AND b.currency = r.currency), 0)""";

  // :org_id null: every rule
  private static final String OF_ORGS =
      "(CAST(:org_id AS text[]) IS NULL OR r.org_id = ANY(CAST(:org_id AS text[])))";

  private static final NamedSql OPEN =
      NamedSql.of(
          """
          UPDATE billing_top_up_rules r SET crossed_at = :now
          WHERE r.crossed_at IS NULL AND %s AND %s < r.threshold"""
              .formatted(OF_ORGS, AVAILABLE));

  // the next attempt of each open crossing not halted, below its threshold still, with none in
  // flight; a closed organization is charged no more
  private static final NamedSql QUEUE =
      NamedSql.of(
          """
          INSERT INTO billing_top_up_charges (org_id, currency, crossed_at, attempt, due_at,
              created_at, updated_at)
          SELECT r.org_id, r.currency, r.crossed_at,
                 coalesce((SELECT max(t.attempt) FROM billing_top_up_charges t
                           WHERE t.org_id = r.org_id AND t.crossed_at = r.crossed_at), 0) + 1,
                 :now, :now, :now
          FROM billing_top_up_rules r
          JOIN billing_accounts a ON a.user_id = r.org_id AND a.closed_at IS NULL
          WHERE r.crossed_at IS NOT NULL AND r.halted IS NULL AND %s AND %s < r.threshold
            AND NOT EXISTS (SELECT 1 FROM billing_top_up_charges t
                            WHERE t.org_id = r.org_id AND t.state IN ('pending', 'sent'))
          ORDER BY r.org_id
          ON CONFLICT DO NOTHING"""
              .formatted(OF_ORGS, AVAILABLE));

  // back at or above the threshold: the crossing is over, and a retry waiting for its day (never
  // tried: nothing of it reached Stripe) is not needed
  private static final NamedSql CLOSE =
      NamedSql.of(
          """
          WITH closed AS (
              UPDATE billing_top_up_rules r
              SET crossed_at = NULL, halted = NULL, halted_month = NULL
              WHERE r.crossed_at IS NOT NULL AND %s >= r.threshold
              RETURNING r.org_id)
          UPDATE billing_top_up_charges t
          SET state = 'cancelled', reason = 'balance_above_threshold', updated_at = :now
          FROM closed WHERE t.org_id = closed.org_id AND t.state = 'pending' AND t.tries = 0"""
              .formatted(AVAILABLE));

  private static final NamedSql NEW_MONTH =
      NamedSql.of(
          """
          UPDATE billing_top_up_rules SET halted = NULL, halted_month = NULL
          WHERE halted = 'monthly_cap' AND halted_month < :month""");

  private static final NamedSql HALT =
      NamedSql.of(
          """
          UPDATE billing_top_up_rules SET halted = :halted, halted_month = :month
          WHERE org_id = :org_id AND crossed_at IS NOT NULL""");

  // a new payment method lifts what waited for one; a retry waiting for its day is due now
  private static final NamedSql NEW_METHOD =
      NamedSql.of(
          """
          WITH lifted AS (
              UPDATE billing_top_up_rules SET halted = NULL
              WHERE org_id = :org_id AND halted IN ('no_payment_method', 'declined'))
          UPDATE billing_top_up_charges SET due_at = :now, updated_at = :now
          WHERE org_id = :org_id AND state = 'pending' AND tries = 0 AND due_at > :now""");

  private TopUpChecks() {}

  /**
   * After entries lowered these organizations' balances (in the posting's transaction): each
   * found below its rule's threshold is queued a charge, due at once, unless one is in flight or
   * its crossing is halted.
   */
  public static void lowered(Connection c, List<String> orgIds, Instant now) throws SQLException {
    Array orgs = SqlArrays.array(c, orgIds, id -> id);
    OPEN.bind("org_id", orgs).bind("now", now).update(c);
    QUEUE.bind("org_id", orgs).bind("now", now).update(c);
  }

  /**
   * Every rule checked (collect-payments, each minute): crossings closed where the balance is back
   * at or above the threshold, the monthly cap lifted once {@code month} (the first day of the
   * current month in the billing time zone) is after the month it was reached in, crossings
   * opened, and charges queued; answers how many were queued.
   */
  public static int checkAll(Connection c, Instant now, LocalDate month) throws SQLException {
    CLOSE.bind("now", now).update(c);
    NEW_MONTH.bind("month", month).update(c);
    OPEN.bind("org_id", null).bind("now", now).update(c);
    return QUEUE.bind("org_id", null).bind("now", now).update(c);
  }

  /**
   * The organization's current crossing charges no more, {@code why}: {@code no_payment_method},
   * {@code declined} (its retries spent), or {@code monthly_cap} in {@code month} (else null).
   */
  public static void halt(Connection c, String orgId, String why, LocalDate month)
      throws SQLException {
    HALT.bind("org_id", orgId).bind("halted", why).bind("month", month).update(c);
  }

  /**
   * The organization's customer has a new default payment method: a crossing halted for want of
   * one, or for its declines, is charged again, and a retry waiting for its day is due now.
   */
  public static void newPaymentMethod(Connection c, String orgId, Instant now) throws SQLException {
    NEW_METHOD.bind("org_id", orgId).bind("now", now).update(c);
    QUEUE.bind("org_id", SqlArrays.array(c, List.of(orgId), id -> id)).bind("now", now).update(c);
  }

  /** After the organization's rule was set: checked at once, as after an entry. */
  public static void ruleSet(Connection c, String orgId, Instant now) throws SQLException {
    lowered(c, List.of(orgId), now);
  }
}
