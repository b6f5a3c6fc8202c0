package io.streamspace.billing.hibernation;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.SessionHibernated;
import io.streamspace.common.db.Sql;
import io.streamspace.plugin.api.session.SessionControl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hibernation (hibernateAfterIdleMinutes, off by default): an open session whose events report
 * it idle or disconnected all along for that long is suspended through the host's session
 * control (reason {@link SessionControl#HIBERNATED}), {@code billing.session.hibernated} is
 * published, and from then on it is billed for storage only (rating's {@code PausedSteps}, live
 * cost's pauses) until the platform reports it active again: {@code session.resumed} or a
 * heartbeat with activity active, at an event time after the hibernation, ends it at that time
 * ({@code SessionRepository}). Billing never ends the session.
 *
 * <p>Run by check-balances. One statement finds the sessions due and records their hibernations
 * ({@code billing_session_hibernations}, V77): a session is due when its idle run (its activity
 * rows since its last active one) began {@code hibernateAfterIdleMinutes} ago or earlier and no
 * hibernation began within that run, so one run hibernates a session once; the open row's unique
 * index makes the insert of two nodes at once one row. Only the node whose insert made the row
 * suspends the session and publishes, after the statement committed.
 */
public final class Hibernation {

  /** What the user is told, after the reason's prefix. */
  public static final String DETAIL =
      "nobody used this session for %d minutes; it resumes where it"
          + " stopped when you come back.";

  private static final Logger log = LoggerFactory.getLogger(Hibernation.class);

  // each open session's idle run: from its first activity row after its last active one (the
  // session's activity primary key, probed twice per open session); due ones recorded at :now
  private static final NamedSql HIBERNATE =
      NamedSql.of(
          """
          INSERT INTO billing_session_hibernations (session_id, org_id, idle_since, hibernated_at)
          SELECT s.session_id, s.org_id, i.idle_since, :now::timestamptz
          FROM billing_sessions s
          CROSS JOIN LATERAL (
            SELECT min(x.effective_from) AS idle_since FROM billing_session_activity x
            WHERE x.session_id = s.session_id AND x.effective_from <= :now::timestamptz
              AND x.effective_from > coalesce(
                  (SELECT max(y.effective_from) FROM billing_session_activity y
                   WHERE y.session_id = s.session_id AND y.state = 'active'
                     AND y.effective_from <= :now::timestamptz),
                  '-infinity'::timestamptz)) i
          WHERE s.ended_at IS NULL AND s.session_id <> ''
            AND i.idle_since <= :now::timestamptz - make_interval(mins => :minutes)
            AND NOT EXISTS (SELECT 1 FROM billing_session_hibernations h
                            WHERE h.session_id = s.session_id
                              AND (h.resumed_at IS NULL OR h.hibernated_at >= i.idle_since))
          ORDER BY s.session_id
          ON CONFLICT DO NOTHING
          RETURNING session_id, org_id, idle_since""");

  private final DataSource dataSource;
  private final SessionControl sessions;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public Hibernation(
      DataSource dataSource,
      SessionControl sessions,
      BillingEvents events,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.sessions = sessions;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /** Hibernates the sessions due now; answers how many this call hibernated. */
  public int check() throws SQLException {
    Duration after = config.get().hibernateAfterIdle();
    if (after.isZero()) {
      return 0;
    }
    Instant now = clock.instant();
    List<SessionHibernated> hibernated = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            HIBERNATE
                .bind("now", now)
                .bind("minutes", (int) after.toMinutes())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        hibernated.add(
            new SessionHibernated(
                rs.getString(2), rs.getString(1), Sql.instant(rs.getTimestamp(3)), now));
      }
    }
    String reason = SessionControl.HIBERNATED + DETAIL.formatted(after.toMinutes());
    for (SessionHibernated session : hibernated) {
      try {
        sessions.suspend(session.sessionId(), reason);
      } catch (RuntimeException e) {
        // billed storage-only from now all the same: the host is told once, by this node
        log.warn("session {}: SessionControl failed to hibernate it", session.sessionId(), e);
      }
      events.sessionHibernated(session);
    }
    return hibernated.size();
  }
}
