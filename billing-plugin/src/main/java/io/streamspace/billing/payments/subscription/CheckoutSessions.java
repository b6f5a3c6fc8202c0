package io.streamspace.billing.payments.subscription;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The state of an organization when each of its plan Checkout Sessions was created ({@code
 * billing_checkout_sessions}): the plan it was on and whether it was locked. The session's
 * completion reads it back to refuse a session the organization has outgrown (it changed plan
 * since, or is locked now) rather than apply it blindly, and stores how it ended.
 */
public final class CheckoutSessions {

  /** A plan session as it was created. */
  public record Created(
      String sessionId,
      String orgId,
      String mode,
      String planId,
      String planIdThen,
      boolean lockedThen,
      String status) {}

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_checkout_sessions (session_id, account_id, kind, mode, plan_id,
              plan_id_then, locked_then, created_at)
          VALUES (:session, :account, 'plan', :mode, :plan, :plan_then, :locked, :now)
          ON CONFLICT DO NOTHING""");

  private static final NamedSql FIND =
      NamedSql.of(
          """
          SELECT session_id, account_id, mode, plan_id, plan_id_then, locked_then, status
          FROM billing_checkout_sessions WHERE session_id = :session FOR UPDATE""");

  private static final NamedSql APPLIED =
      NamedSql.of(
          """
          UPDATE billing_checkout_sessions SET status = 'applied', resolved_at = :now
          WHERE session_id = :session AND status <> 'refused'""");

  private static final NamedSql REFUSED =
      NamedSql.of(
          """
          UPDATE billing_checkout_sessions SET status = 'refused', refusal = :why,
              given_back = :given_back, resolved_at = :now
          WHERE session_id = :session AND status <> 'refused'""");

  private final DataSource dataSource;

  public CheckoutSessions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Records a plan session just created, with the organization's plan and lock then. */
  public void created(Created session, Instant now) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        c ->
            INSERT
                .bind("session", session.sessionId())
                .bind("account", session.orgId())
                .bind("mode", session.mode())
                .bind("plan", session.planId())
                .bind("plan_then", session.planIdThen())
                .bind("locked", session.lockedThen())
                .bind("now", now)
                .update(c));
  }

  /** The session as created, its row held to the end of the transaction; empty if unrecorded. */
  public static Optional<Created> find(Connection c, String sessionId) throws SQLException {
    try (PreparedStatement s = FIND.bind("session", sessionId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new Created(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getBoolean(6),
                  rs.getString(7)))
          : Optional.empty();
    }
  }

  public static void applied(Connection c, String sessionId, Instant now) throws SQLException {
    APPLIED.bind("session", sessionId).bind("now", now).update(c);
  }

  /**
   * Marks it refused, saying why and what was given back at Stripe: at its completion, or once
   * applied when its organization turns out closed before it completed.
   */
  public static void refused(
      Connection c, String sessionId, String why, String givenBack, Instant now)
      throws SQLException {
    REFUSED
        .bind("session", sessionId)
        .bind("why", why)
        .bind("given_back", givenBack)
        .bind("now", now)
        .update(c);
  }
}
