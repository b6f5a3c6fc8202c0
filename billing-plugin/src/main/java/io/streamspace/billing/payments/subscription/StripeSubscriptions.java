package io.streamspace.billing.payments.subscription;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The Stripe Subscriptions that pay organizations' plan fees ({@code
 * billing_stripe_subscriptions}), as the events applied so far left them. Each change names the
 * creation time of its event and is made only when that is newer than the last one applied, so
 * an older event delivered later changes nothing; {@value #CANCELED} is final.
 */
public final class StripeSubscriptions {

  public static final String CANCELED = "canceled";

  /** A subscription as stored. */
  public record Stored(
      String subscriptionId,
      String orgId,
      String planId,
      String status,
      boolean cancelAtPeriodEnd,
      Instant eventAt) {

    public boolean canceled() {
      return CANCELED.equals(status);
    }
  }

  /** What an event says of a subscription now. */
  public record Seen(
      String planId,
      String status,
      boolean cancelAtPeriodEnd,
      Instant currentPeriodEnd,
      Instant eventAt) {}

  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,
              cancel_at_period_end, current_period_end, event_at, updated_at, started_at)
          VALUES (:id, :account, :plan, :status, :cancel_at_period_end, :period_end, :event_at,
              :now, :now)
          ON CONFLICT (subscription_id) DO NOTHING""");

  private static final NamedSql FIND =
      NamedSql.of(
          """
          SELECT subscription_id, account_id, plan_id, status, cancel_at_period_end, event_at
          FROM billing_stripe_subscriptions WHERE subscription_id = :id FOR UPDATE""");

  private static final NamedSql SEEN =
      NamedSql.of(
          """
          UPDATE billing_stripe_subscriptions SET plan_id = :plan, status = :status,
              cancel_at_period_end = :cancel_at_period_end, current_period_end = :period_end,
              event_at = :event_at, updated_at = :now
          WHERE subscription_id = :id AND status <> 'canceled' AND event_at < :event_at""");

  // deletion is final whatever its order: an older deleted still ends it
  private static final NamedSql CANCEL =
      NamedSql.of(
          """
          UPDATE billing_stripe_subscriptions SET status = 'canceled',
              event_at = greatest(event_at, :event_at), updated_at = :now
          WHERE subscription_id = :id AND status <> 'canceled'""");

  private static final NamedSql GIVEN_BACK =
      NamedSql.of(
          """
          UPDATE billing_stripe_subscriptions SET given_back = :given_back
          WHERE subscription_id = :id""");

  private static final NamedSql NOT_GIVEN_BACK =
      NamedSql.of(
          """
          UPDATE billing_stripe_subscriptions SET given_back = NULL
          WHERE subscription_id = :id AND given_back IS NOT NULL""");

  private static final NamedSql LIVE_OF =
      NamedSql.of(
          """
          SELECT subscription_id FROM billing_stripe_subscriptions
          WHERE account_id = :account AND status <> 'canceled'
          ORDER BY event_at DESC LIMIT 1""");

  private final DataSource dataSource;

  public StripeSubscriptions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The account's subscription not cancelled, if it has one (a second Checkout is refused). */
  public Optional<String> liveOf(String orgId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return liveOf(c, orgId);
    }
  }

  /** As {@link #liveOf(String)}, in the caller's transaction. */
  public static Optional<String> liveOf(Connection c, String orgId) throws SQLException {
    try (PreparedStatement s = LIVE_OF.bind("account", orgId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /** Stores a subscription a Checkout created; one stored already is left as it is. */
  public static void store(
      Connection c, String subscriptionId, String orgId, Seen seen, Instant now)
      throws SQLException {
    bound(STORE, subscriptionId, seen, now).bind("account", orgId).update(c);
  }

  /** The subscription, its row held to the end of the transaction; empty when not ours. */
  public static Optional<Stored> find(Connection c, String subscriptionId) throws SQLException {
    try (PreparedStatement s = FIND.bind("id", subscriptionId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new Stored(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getBoolean(5),
                  rs.getTimestamp(6).toInstant()))
          : Optional.empty();
    }
  }

  /**
   * Keeps what a newer event says of it.
   *
   * @return false when the event is not newer than the last one applied, or it is cancelled
   */
  public static boolean seen(Connection c, String subscriptionId, Seen seen, Instant now)
      throws SQLException {
    return bound(SEEN, subscriptionId, seen, now).update(c) == 1;
  }

  private static NamedSql.Binding bound(
      NamedSql sql, String subscriptionId, Seen seen, Instant now) {
    return sql.bind("id", subscriptionId)
        .bind("plan", seen.planId())
        .bind("status", seen.status())
        .bind("cancel_at_period_end", seen.cancelAtPeriodEnd())
        .bind("period_end", seen.currentPeriodEnd())
        .bind("event_at", seen.eventAt())
        .bind("now", now);
  }

  /**
   * Marks it cancelled, for good.
   *
   * @return false when it was cancelled already
   */
  public static boolean cancelled(Connection c, String subscriptionId, Instant eventAt, Instant now)
      throws SQLException {
    return CANCEL.bind("id", subscriptionId).bind("event_at", eventAt).bind("now", now).update(c)
        == 1;
  }

  /**
   * Forgets what the plugin recorded as given back, when the refund it made failed at Stripe, so
   * that whatever gives back for it (the closing's sweep) does so again.
   *
   * @return whether anything was recorded as given back
   */
  public static boolean notGivenBack(Connection c, String subscriptionId) throws SQLException {
    return NOT_GIVEN_BACK.bind("id", subscriptionId).update(c) == 1;
  }

  /** Records what the plugin gave back when it ended the subscription itself. */
  public static void givenBack(Connection c, String subscriptionId, String givenBack)
      throws SQLException {
    GIVEN_BACK.bind("id", subscriptionId).bind("given_back", givenBack).update(c);
  }
}
