package io.streamspace.billing.plans;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.TrialEnded;
import io.streamspace.billing.events.TrialWillEnd;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.PlanTermRows;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.trials.Trials;
import io.streamspace.billing.trials.Trials.Running;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the trials job does each minute ({@link Trials}): tells the organizations whose trial ends
 * in three days, and ends the trials whose end has come.
 *
 * <p><b>Told once.</b> From three days before its end (at once for a trial shorter than that),
 * each running trial whose organization is open and on it gets {@code will_end_told_at}, {@value
 * #PAGE} at a time, by one statement that returns the rows it set: only the run whose update set
 * a row publishes its {@code billing.trial.will_end}, so a second node or a second run tells no
 * one twice (the other's update waits for the row, then finds it told).
 *
 * <p><b>Ended at its end.</b> From its end, each running trial ends at that instant, whenever the
 * run comes, in a transaction of its own holding its row: the trial term ends then and, if the
 * trial converts ({@link Trials}), a paid term of the same plan and version starts then at the fee
 * the trial kept; otherwise a term of the default plan (its fee and limits as configured). The
 * invoice covering that instant prorates the two as a plan change. A trial whose term a plan change
 * ended before is ended as {@code changed} at that change. Each is told {@code
 * billing.trial.ended} (and a conversion or a fall back {@code billing.subscription.changed}) once
 * its transaction committed.
 */
public final class TrialRuns {

  private static final Logger log = LoggerFactory.getLogger(TrialRuns.class);

  static final int PAGE = 200;

  /** How long before its end a trial's organization is told. */
  public static final Duration NOTICE = Duration.ofDays(3);

  private static final NamedSql TELL =
      NamedSql.of(
          """
          WITH due AS (
            SELECT t.org_id, t.plan_id
            FROM billing_trials t
            JOIN billing_subscriptions s ON s.id = t.term_id
            JOIN billing_accounts a ON a.user_id = t.org_id
            WHERE t.outcome IS NULL AND t.will_end_told_at IS NULL AND s.ended_at IS NULL
              AND a.closed_at IS NULL
              AND s.trial_ends_at <= :told_from AND s.trial_ends_at > :now
            ORDER BY t.org_id, t.plan_id LIMIT :page
          ), told AS (
            UPDATE billing_trials t SET will_end_told_at = :now
            FROM due d
            WHERE t.org_id = d.org_id AND t.plan_id = d.plan_id AND t.will_end_told_at IS NULL
            RETURNING t.org_id, t.plan_id
          )
          %s AND (t.org_id, t.plan_id) IN (SELECT org_id, plan_id FROM told)
          ORDER BY t.org_id"""
              .formatted(Trials.RUNNING));

  // the running trials whose end has come, or whose term a plan change ended, after a cursor
  private static final NamedSql DUE =
      NamedSql.of(
          """
          %s AND (s.trial_ends_at <= :now OR s.ended_at IS NOT NULL)
            AND (t.org_id, t.plan_id) > (:after_org, :after_plan)
          ORDER BY t.org_id, t.plan_id LIMIT :page"""
              .formatted(Trials.RUNNING));

  // one of them, its row held to the end of the transaction: a second run waits, then finds it
  // ended; its trial term as a plan term
  private static final NamedSql HOLD =
      NamedSql.of(
          """
          SELECT %s,
          %s
          %s AND t.org_id = :org AND t.plan_id = :plan FOR UPDATE OF t"""
              .formatted(Trials.COLUMNS, PlanTermRows.COLUMNS, Trials.FROM));

  private static final NamedSql ENDED =
      NamedSql.of(
          """
          UPDATE billing_trials SET outcome = :outcome, ended_at = :ended_at
          WHERE org_id = :org AND plan_id = :plan AND outcome IS NULL""");

  private final DataSource dataSource;
  private final PlanChanges changes;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public TrialRuns(
      DataSource dataSource,
      PlanChanges changes,
      BillingEvents events,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.changes = changes;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Tells the organizations whose trial ends within {@link #NOTICE} that were not told.
   *
   * @return how many were told
   */
  public int tell() throws SQLException {
    Instant now = clock.instant();
    String fallback = config.get().defaultPlan();
    int told = 0;
    List<Running> page;
    do {
      page = new ArrayList<>();
      try (Connection connection = dataSource.getConnection();
          PreparedStatement statement =
              TELL.bind("now", now)
                  .bind("told_from", now.plus(NOTICE))
                  .bind("page", PAGE)
                  .prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          page.add(Trials.read(rs));
        }
      }
      for (Running trial : page) {
        Currency currency = Currency.getInstance(trial.currency());
        events.trialWillEnd(
            new TrialWillEnd(
                trial.orgId(),
                trial.planId(),
                trial.planName(),
                trial.endsAt(),
                trial.currency(),
                Money.shown(trial.fee(), currency),
                trial.interval(),
                trial.converts(),
                fallback));
      }
      told += page.size();
    } while (page.size() == PAGE);
    return told;
  }

  /**
   * Ends the trials whose end has come (and those a plan change ended).
   *
   * @param cause the run's: the job, or the admin who started it by hand
   * @return how many were ended
   */
  public int end(Cause cause) throws SQLException {
    Instant now = clock.instant();
    int ended = 0;
    String[] after = {"", ""};
    List<Running> page;
    do {
      page = due(now, after);
      for (Running trial : page) {
        ended += endOne(trial.orgId(), trial.planId(), cause) ? 1 : 0;
      }
      if (!page.isEmpty()) {
        Running last = page.get(page.size() - 1);
        after = new String[] {last.orgId(), last.planId()};
      }
    } while (page.size() == PAGE);
    return ended;
  }

  /**
   * Ends the organization's trial if its end has come and no run has ended it yet (they come
   * every minute): a plan change made before the next run then starts from the term that end
   * makes, the trial converted or lapsed at its end, not from a trial term running free past it.
   *
   * @param cause the trials job's: the end is its work, made a little early
   */
  public void endDue(String orgId, Cause cause) throws SQLException {
    Optional<Running> trial;
    try (Connection connection = dataSource.getConnection()) {
      trial = Trials.activeOf(connection, orgId);
    }
    if (trial.isPresent() && !trial.get().endsAt().isAfter(clock.instant())) {
      endOne(orgId, trial.get().planId(), cause);
    }
  }

  /**
   * {@link #endDue} in the caller's transaction, for a plan change made in it (a Stripe event's):
   * the change then starts from the term the end makes.
   *
   * @return what to run once the transaction is committed (the end's events); empty when no
   *     trial's end had come
   */
  public Optional<Runnable> endDueInTransaction(Connection connection, String orgId, Cause cause)
      throws SQLException {
    Optional<Running> trial = Trials.activeOf(connection, orgId);
    if (trial.isEmpty() || trial.get().endsAt().isAfter(clock.instant())) {
      return Optional.empty();
    }
    return held(connection, orgId, trial.get().planId(), config.get(), cause).map(this::told);
  }

  private List<Running> due(Instant now, String[] after) throws SQLException {
    List<Running> due = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            DUE.bind("now", now)
                .bind("after_org", after[0])
                .bind("after_plan", after[1])
                .bind("page", PAGE)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        due.add(Trials.read(rs));
      }
    }
    return due;
  }

  /** What a trial's end tells once committed: its event, and the plan change's. */
  private record Outcome(TrialEnded ended, Optional<Runnable> changed) {}

  /**
   * Ends one trial in a transaction of its own, then tells of it.
   *
   * @return whether this run ended it (false: another did, or it ended meanwhile)
   */
  private boolean endOne(String orgId, String planId, Cause cause) throws SQLException {
    BillingConfig current = config.get();
    Optional<Outcome> outcome =
        Transactions.inTransaction(
            dataSource, connection -> held(connection, orgId, planId, current, cause));
    outcome.map(this::told).ifPresent(Runnable::run);
    return outcome.isPresent();
  }

  /** Holds the organization's trial of the plan and ends it ({@link #end}), if still running. */
  private Optional<Outcome> held(
      Connection connection, String orgId, String planId, BillingConfig current, Cause cause)
      throws SQLException {
    PlanTerm term;
    Running trial;
    try (PreparedStatement statement =
            HOLD.bind("org", orgId).bind("plan", planId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      trial = Trials.read(rs);
      term = PlanTermRows.read(rs, Trials.WIDTH + 1);
    }
    return end(connection, trial, term, current, cause);
  }

  /** What tells of an end once it is committed: the plan change's event, then the trial's. */
  private Runnable told(Outcome outcome) {
    return () -> {
      outcome.changed().ifPresent(Runnable::run);
      events.trialEnded(outcome.ended());
    };
  }

  /**
   * Ends the held trial: {@code changed} at its term's end when a plan change ended it, else
   * converted or lapsed at its end.
   *
   * @return empty when a plan change ended its term since it was read (the next run ends it as
   *     {@code changed})
   */
  private Optional<Outcome> end(
      Connection connection, Running trial, PlanTerm term, BillingConfig current, Cause cause)
      throws SQLException {
    if (trial.termEndedAt() != null) {
      ended(connection, trial, "changed", trial.termEndedAt());
      String now = SubscriptionRepository.activePlan(connection, trial.orgId());
      return Optional.of(
          new Outcome(told(trial, "changed", trial.termEndedAt(), now), Optional.empty()));
    }
    String outcome = trial.converts() ? "converted" : "lapsed";
    PlanTerm next = trial.converts() ? paid(trial, term) : fallback(trial, current);
    Map<String, Object> said =
        !trial.converts() && unpriced(trial, current)
            ? Map.of("trial", outcome, "fallback_unpriced_in", trial.currency())
            : Map.of("trial", outcome);
    Optional<Runnable> changed =
        changes.endTrialInTransaction(connection, trial, next, said, cause);
    if (changed.isEmpty()) {
      return Optional.empty();
    }
    ended(connection, trial, outcome, trial.endsAt());
    return Optional.of(new Outcome(told(trial, outcome, trial.endsAt(), next.planId()), changed));
  }

  /** The term a converting trial pays from its end: its own plan and version, at its fee. */
  private static PlanTerm paid(Running trial, PlanTerm term) {
    return new PlanTerm(
        term.planId(),
        term.planName(),
        trial.fee(),
        term.interval(),
        term.cpuLimit(),
        term.memoryLimit(),
        term.storageLimit(),
        term.heldLimits(),
        trial.endsAt(),
        null,
        term.version(),
        null,
        term.versionLimits());
  }

  /**
   * The term of the default plan, as configured, a lapsed trial falls back to at its end. A
   * default plan with no price in the organization's currency (one the config prices it in no
   * more) is a fee of 0: nothing can be charged in that currency, and the trial still ends, once,
   * its {@code plan.changed} entry saying so ({@code fallback_unpriced_in}), rather than failing
   * every run.
   */
  private static PlanTerm fallback(Running trial, BillingConfig current) {
    SubscriptionPlan plan = current.plan(current.defaultPlan()).orElseThrow();
    Currency currency = Currency.getInstance(trial.currency());
    return PlanChanges.termOf(
            plan, current.priceOf(plan, currency).orElse(Money.zero(currency)), trial.endsAt())
        .withTrialEnd(null);
  }

  private static boolean unpriced(Running trial, BillingConfig current) {
    SubscriptionPlan plan = current.plan(current.defaultPlan()).orElseThrow();
    boolean unpriced = current.priceOf(plan, Currency.getInstance(trial.currency())).isEmpty();
    if (unpriced) {
      log.warn(
          "the trial of {} of {} lapses to the default plan {}, which has no price in {}: at 0",
          trial.planId(),
          trial.orgId(),
          plan.id(),
          trial.currency());
    }
    return unpriced;
  }

  private static void ended(Connection connection, Running trial, String outcome, Instant at)
      throws SQLException {
    ENDED
        .bind("outcome", outcome)
        .bind("ended_at", at)
        .bind("org", trial.orgId())
        .bind("plan", trial.planId())
        .update(connection);
  }

  private static TrialEnded told(Running trial, String outcome, Instant at, String nextPlan) {
    return new TrialEnded(
        trial.orgId(),
        trial.planId(),
        trial.planName(),
        trial.endsAt(),
        at,
        outcome,
        "converted".equals(outcome),
        nextPlan);
  }
}
