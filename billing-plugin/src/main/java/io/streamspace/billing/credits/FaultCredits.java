package io.streamspace.billing.credits;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.FaultCreditTerms;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.rating.HeldSteps;
import io.streamspace.billing.rating.UnitPrices;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * Automatic fault credits: when a session's end is stored and the terminate that ended it told a
 * reason {@code faultCreditReasons} lists ({@code platform_fault}, {@code node_lost} by
 * default), its organization is credited what the session is billed for the stretch {@code
 * faultCreditPolicy} names (its last 15 minutes by default, or the whole session), priced by
 * {@link FaultCreditCost} as rating prices it, at the unit prices of its currency: idle or
 * disconnected time at its activity factors, time hibernated or held for a spent balance at
 * nothing (its storage is the organization's, not credited); nothing in subscription mode, where
 * sessions cost nothing, as a prepaid hold holds nothing. So it gives back what that time is
 * billed, not more. The credit is an ordinary credit of
 * kind {@code fault}: same balance, consumption order, invoice lines and applications as an
 * admin's, with its {@code credit.granted} audit entry caused by the platform and naming the
 * terminate event.
 *
 * <p><b>Once per session.</b> The decision is a row of {@code billing_fault_credits} keyed by the
 * session, claimed ({@code ON CONFLICT DO NOTHING}) before anything is credited, in the
 * transaction that stores the end: a redelivered terminate (in the same batch or a later one, on
 * this node or another) finds the session claimed and credits nothing; a crash rolls back the end
 * and the decision together. A session is decided in the first batch, holding its terminate, its
 * session.created or its organization's user.created or org.created, after which it is ended by
 * a fault terminate, has a size at or before its end, and its organization has its terms (a
 * credit in the default currency would keep an organization a session event opened from taking
 * the currency its user.created or org.created names). It is priced from what is stored then
 * (its sizes, held meters, activity states, hibernations and its organization's holds), each a
 * step function of event time, so the order its events arrived in before it does not change it;
 * an event arriving after it (a late activity change, a later-arriving earlier terminate of
 * another reason) does not reprice or take it back: what was granted is history.
 *
 * <p><b>The cap.</b> {@code faultCreditCap} is the most fault credits give an organization in a
 * billing period (the period of the session's end), in its currency; {@code
 * billing_fault_credit_periods} counts what they gave, its row locked before a credit is sized,
 * so credits granted at once on two nodes never pass it together. A credit past it is cut to what
 * is left and its reason says {@code capped}; once nothing is left, none is granted, and the
 * decision records the cost with 0 credited.
 */
public final class FaultCredits {

  /** Who grants fault credits, as their {@code granted_by} reads. */
  public static final String GRANTED_BY = "platform";

  /** A credit granted, with its audit entry, to record last in the transaction. */
  public record Granted(Credit credit, AuditEntry entry) {}

  // the sessions a fault terminate ended, not decided yet, with a size by their end, whose
  // organization has its terms: those of the batch, and those of the organizations whose
  // user.created or org.created the batch holds; in organization order, the order their period
  // rows are locked in
  private static final NamedSql CANDIDATES =
      NamedSql.of(
          """
          WITH named AS (
            SELECT session_id FROM billing_sessions WHERE session_id = ANY(:session_id::text[])
            UNION
            SELECT session_id FROM billing_sessions
            WHERE org_id = ANY(:org_id::text[]) AND ended_at IS NOT NULL
          )
          SELECT s.session_id, s.org_id, s.started_at, s.ended_at, s.terminate_event_id,
                 s.terminate_reason, a.currency
          FROM named n JOIN billing_sessions s USING (session_id)
          JOIN billing_accounts a ON a.user_id = s.org_id
          WHERE s.ended_at IS NOT NULL AND s.terminate_reason = ANY(:reasons::text[])
            AND a.user_created_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM billing_fault_credits f
                            WHERE f.session_id = s.session_id)
            AND EXISTS (SELECT 1 FROM billing_session_sizes z
                        WHERE z.session_id = s.session_id AND z.effective_from <= s.ended_at)
          ORDER BY s.org_id, s.session_id""");

  private static final NamedSql OPEN_PERIOD =
      NamedSql.of(
          """
          INSERT INTO billing_fault_credit_periods (org_id, period_start, credited)
          VALUES (:org_id, :period_start, 0) ON CONFLICT DO NOTHING""");

  private static final NamedSql LOCK_PERIOD =
      NamedSql.of(
          """
          SELECT credited FROM billing_fault_credit_periods
          WHERE org_id = :org_id AND period_start = :period_start FOR UPDATE""");

  private static final NamedSql ADD_TO_PERIOD =
      NamedSql.of(
          """
          UPDATE billing_fault_credit_periods SET credited = credited + :credited
          WHERE org_id = :org_id AND period_start = :period_start""");

  // the session claimed first: of two writers deciding it at once, the second inserts nothing
  // and credits nothing
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_fault_credits
            (session_id, org_id, event_id, reason, credited_from, ended_at, period_start,
             currency, cost, credited, capped, decided_at)
          VALUES (:session_id, :org_id, :event_id, :reason, :credited_from, :ended_at,
                  :period_start, :currency, :cost, 0, false, :decided_at)
          ON CONFLICT (session_id) DO NOTHING""");

  private static final NamedSql DECIDED =
      NamedSql.of(
          """
          UPDATE billing_fault_credits
          SET credited = :credited, capped = :capped, credit_id = :credit_id
          WHERE session_id = :session_id""");

  private record Candidate(
      String sessionId,
      String orgId,
      Instant startedAt,
      Instant endedAt,
      String eventId,
      String reason,
      Currency currency) {}

  private FaultCredits() {}

  /**
   * Decides the fault credits of {@code sessionIds} (the batch's sessions with a terminate or a
   * session.created in it, their rows already stored) and of the ended sessions of {@code
   * orgIds} (the organizations whose user.created or org.created the batch holds) under {@code
   * config} at {@code now}; answers the credits granted, whose audit entries the caller
   * records with its others (last, as the chains' heads are taken last) and which it announces
   * once committed.
   */
  public static List<Granted> decide(
      Connection connection,
      List<String> sessionIds,
      List<String> orgIds,
      BillingConfig config,
      Instant now)
      throws SQLException {
    if ((sessionIds.isEmpty() && orgIds.isEmpty()) || config.faultCreditReasons().isEmpty()) {
      return List.of();
    }
    List<Candidate> candidates =
        candidates(connection, sessionIds, orgIds, config.faultCreditReasons());
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<String> ids = candidates.stream().map(Candidate::sessionId).toList();
    Map<String, HeldSteps> steps = FaultCreditCost.steps(connection, ids, config.activityRates());
    BillingPeriods periods = new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
    FaultCreditTerms.Policy policy = config.faultCreditPolicy();
    List<Granted> granted = new ArrayList<>();
    for (Candidate c : candidates) {
      Instant from =
          policy.last() == null || c.startedAt().isAfter(c.endedAt().minus(policy.last()))
              ? c.startedAt()
              : c.endedAt().minus(policy.last());
      BigDecimal cost =
          config.billingMode() == BillingMode.SUBSCRIPTION
              ? Money.zero(c.currency())
              : UnitPrices.of(config, c.currency())
                  .map(
                      prices ->
                          FaultCreditCost.of(
                              from,
                              c.endedAt(),
                              steps.getOrDefault(c.sessionId(), HeldSteps.NONE),
                              prices,
                              c.currency()))
                  .orElse(Money.zero(c.currency()));
      Instant periodStart = periods.periodStart(c.endedAt());
      int claimed =
          CLAIM
              .bind("session_id", c.sessionId())
              .bind("org_id", c.orgId())
              .bind("event_id", c.eventId())
              .bind("reason", c.reason())
              .bind("credited_from", from)
              .bind("ended_at", c.endedAt())
              .bind("period_start", periodStart)
              .bind("currency", c.currency().getCurrencyCode())
              .bind("cost", cost)
              .bind("decided_at", now)
              .update(connection);
      if (claimed == 0 || cost.signum() == 0) {
        continue;
      }
      BigDecimal cap = config.faultCreditCap(c.currency()).orElse(null);
      BigDecimal credited = capped(connection, c, periodStart, cost, cap);
      boolean capped = credited.compareTo(cost) < 0;
      Granted credit = null;
      if (credited.signum() > 0) {
        credit = grant(connection, c, policy, credited, capped ? cap : null, now);
        granted.add(credit);
      }
      DECIDED
          .bind("credited", credited)
          .bind("capped", capped)
          .bind("credit_id", credit == null ? null : credit.credit().id())
          .bind("session_id", c.sessionId())
          .update(connection);
    }
    return granted;
  }

  /**
   * What is left of the cap for {@code cost}, taken from the organization's period under its
   * row's lock: all of it when uncapped ({@code cap} null) or when it fits, else what is left
   * (0 once nothing is).
   */
  private static BigDecimal capped(
      Connection connection, Candidate c, Instant periodStart, BigDecimal cost, BigDecimal cap)
      throws SQLException {
    OPEN_PERIOD.bind("org_id", c.orgId()).bind("period_start", periodStart).update(connection);
    BigDecimal before;
    try (PreparedStatement statement =
            LOCK_PERIOD
                .bind("org_id", c.orgId())
                .bind("period_start", periodStart)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      before = rs.getBigDecimal(1);
    }
    BigDecimal credited = cap == null ? cost : cost.min(cap.subtract(before).max(BigDecimal.ZERO));
    if (credited.signum() > 0) {
      ADD_TO_PERIOD
          .bind("credited", credited)
          .bind("org_id", c.orgId())
          .bind("period_start", periodStart)
          .update(connection);
    }
    return Money.shown(credited, c.currency());
  }

  private static Granted grant(
      Connection connection,
      Candidate c,
      FaultCreditTerms.Policy policy,
      BigDecimal amount,
      BigDecimal cap,
      Instant now)
      throws SQLException {
    String reason =
        "platform fault, auto-credited: session "
            + c.sessionId()
            + " ended by "
            + c.reason()
            + ", "
            + (policy.lastMinutes() == null
                ? "the whole session"
                : "its last " + policy.lastMinutes() + " minutes")
            + (cap == null
                ? ""
                : "; capped at "
                    + c.currency().getCurrencyCode()
                    + " "
                    + Money.shown(cap, c.currency()).toPlainString()
                    + " a period");
    Credit credit =
        CreditRepository.insert(
            connection,
            new NewCredit(c.orgId(), amount, c.currency(), reason, GRANTED_BY, now, null),
            Credit.FAULT);
    Cause cause =
        new Cause(
            Actor.platform(),
            "session.terminated "
                + c.eventId()
                + " of session "
                + c.sessionId()
                + ": "
                + c.reason(),
            null);
    return new Granted(credit, CreditRepository.granted(credit, now, cause));
  }

  private static List<Candidate> candidates(
      Connection connection, List<String> sessionIds, List<String> orgIds, List<String> reasons)
      throws SQLException {
    List<Candidate> candidates = new ArrayList<>();
    try (PreparedStatement statement =
            CANDIDATES
                .bind("session_id", SqlArrays.array(connection, sessionIds, id -> id))
                .bind("org_id", SqlArrays.array(connection, orgIds, id -> id))
                .bind("reasons", SqlArrays.array(connection, reasons, r -> r))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        candidates.add(
            new Candidate(
                rs.getString(1),
                rs.getString(2),
                rs.getTimestamp(3).toInstant(),
                rs.getTimestamp(4).toInstant(),
                rs.getString(5),
                rs.getString(6),
                Currency.getInstance(rs.getString(7).trim())));
      }
    }
    return candidates;
  }
}
