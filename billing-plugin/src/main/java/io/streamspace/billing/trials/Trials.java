package io.streamspace.billing.trials;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The trials of plans ({@code billing_trials}, V95): who begins one, in the caller's transaction,
 * and the trials running, with whether each would convert as things stand.
 *
 * <p><b>One per organization and plan.</b> An organization starting a plan with {@code
 * trial_days} (opened on it, or moving onto it) begins its trial only if it never had one of that
 * plan: the table's primary key keeps that, whatever the path. Its term is then a trial term:
 * price 0, {@code trial_ends_at} its start plus the trial's days; the trial keeps the fee the term
 * would have had, which it pays from the trial's end if it converts ({@code plans/TrialRuns}).
 *
 * <p><b>Converts.</b> At its end a trial converts when the organization is open and has a payment
 * method on file (the default payment method its Stripe customer keeps, which collection charges)
 * or a Stripe Subscription not cancelled (which charges the plan from Stripe's {@code trial_end},
 * the same instant: {@code http/PlanCheckouts}); otherwise it falls back to the default plan.
 */
public final class Trials {

  /** A trial running: its organization, its term's plan and end, the fee from its end. */
  public record Running(
      String orgId,
      long termId,
      String planId,
      String planName,
      Instant startedAt,
      Instant endsAt,
      Instant termEndedAt,
      BigDecimal fee,
      String currency,
      String interval,
      boolean converts) {}

  /** The columns {@link #read} reads, in its order, of {@link #FROM}'s rows. */
  public static final String COLUMNS =
      """
      t.org_id, t.term_id, s.plan_id, s.plan_name, s.started_at, s.trial_ends_at, s.ended_at,
      t.fee, s.currency, s.billing_interval,
      a.closed_at IS NULL AND (
        EXISTS (SELECT 1 FROM billing_stripe_customers c
                WHERE c.account_id = t.org_id AND c.default_payment_method IS NOT NULL)
        OR EXISTS (SELECT 1 FROM billing_stripe_subscriptions u
                   WHERE u.account_id = t.org_id AND u.status <> 'canceled'))""";

  /** How many columns {@link #COLUMNS} are: a statement's next ones start after them. */
  public static final int WIDTH = 11;

  /**
   * The trials running ({@code t}), with their terms ({@code s}) and accounts ({@code a}); more
   * conditions are appended with {@code AND}.
   */
  public static final String FROM =
      """
      FROM billing_trials t
      JOIN billing_subscriptions s ON s.id = t.term_id
      JOIN billing_accounts a ON a.user_id = t.org_id
      WHERE t.outcome IS NULL""";

  /** The trials running, as {@link #read} reads them; more conditions appended with {@code AND}. */
  public static final String RUNNING = "SELECT " + COLUMNS + "\n" + FROM;

  private static final NamedSql HAD =
      NamedSql.of(
          """
          SELECT EXISTS (SELECT 1 FROM billing_trials WHERE org_id = :org AND plan_id = :plan)""");

  private static final NamedSql BEGIN =
      NamedSql.of(
          """
          INSERT INTO billing_trials (org_id, plan_id, term_id, fee)
          VALUES (:org, :plan, :term, :fee)""");

  private static final NamedSql ACTIVE_OF =
      NamedSql.of(RUNNING + " AND t.org_id = :org AND s.ended_at IS NULL");

  // The active terms of the organizations given, on a plan with trial days, of a plan they never
  // had a trial of, become trial terms from their start: the fee kept by the trial, the term free
  // until its start plus the days. (A trial's conflict on its key leaves the term paid.)
  private static final NamedSql BEGIN_OPENED =
      NamedSql.of(
          """
          WITH plans AS (
            SELECT * FROM unnest(:plan_id::text[], :days::text[]::integer[]) AS p(id, days)
          ),
          starting AS (
            SELECT s.id, s.user_id, s.plan_id, s.price,
                   s.started_at + make_interval(days => p.days) AS ends_at
            FROM billing_subscriptions s JOIN plans p ON p.id = s.plan_id
            WHERE s.user_id = ANY (:orgs::text[]) AND s.ended_at IS NULL
              AND s.trial_ends_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM billing_trials t
                              WHERE t.org_id = s.user_id AND t.plan_id = s.plan_id)
          ),
          begun AS (
            INSERT INTO billing_trials (org_id, plan_id, term_id, fee)
            SELECT user_id, plan_id, id, price FROM starting
            ON CONFLICT DO NOTHING
            RETURNING term_id
          )
          UPDATE billing_subscriptions s SET price = 0, trial_ends_at = g.ends_at
          FROM starting g JOIN begun b ON b.term_id = g.id
          WHERE s.id = g.id""");

  private Trials() {}

  /** Whether the organization ever had a trial of the plan. */
  public static boolean had(Connection connection, String orgId, String planId)
      throws SQLException {
    try (PreparedStatement statement =
            HAD.bind("org", orgId).bind("plan", planId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /**
   * Records the trial the organization begins with its term {@code termId} (a trial term), which
   * pays {@code fee} from the trial's end if it converts. A second trial of the plan fails the
   * transaction on the primary key (a concurrent start that got there first).
   */
  public static void begun(
      Connection connection, String orgId, String planId, long termId, BigDecimal fee)
      throws SQLException {
    BEGIN
        .bind("org", orgId)
        .bind("plan", planId)
        .bind("term", termId)
        .bind("fee", fee)
        .update(connection);
  }

  /**
   * The organizations just opened (or whose opening term took their own plan) on a plan with
   * {@code trial_days} begin its trial from their start, in one statement.
   *
   * @param plans the configured plans; those without trial days begin none
   */
  public static void beginOpened(
      Connection connection, Collection<String> orgIds, List<SubscriptionPlan> plans)
      throws SQLException {
    List<SubscriptionPlan> trialled = plans.stream().filter(p -> p.trialDays() > 0).toList();
    if (orgIds.isEmpty() || trialled.isEmpty()) {
      return;
    }
    BEGIN_OPENED
        .bind("plan_id", SqlArrays.array(connection, trialled, SubscriptionPlan::id))
        .bind("days", SqlArrays.array(connection, trialled, SubscriptionPlan::trialDays))
        .bind("orgs", SqlArrays.array(connection, List.copyOf(orgIds), o -> o))
        .update(connection);
  }

  /** The organization's trial running now (its active term a trial term), if any. */
  public static Optional<Running> activeOf(Connection connection, String orgId)
      throws SQLException {
    try (PreparedStatement statement = ACTIVE_OF.bind("org", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(read(rs)) : Optional.empty();
    }
  }

  /** The trial of the current row of a statement selecting {@link #COLUMNS} first. */
  public static Running read(ResultSet rs) throws SQLException {
    return new Running(
        rs.getString(1),
        rs.getLong(2),
        rs.getString(3),
        rs.getString(4),
        rs.getTimestamp(5).toInstant(),
        rs.getTimestamp(6).toInstant(),
        Sql.instant(rs.getTimestamp(7)),
        rs.getBigDecimal(8),
        rs.getString(9).trim(),
        rs.getString(10),
        rs.getBoolean(11));
  }
}
