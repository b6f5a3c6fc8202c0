package io.streamspace.billing.plans;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.PlanTermRows;
import io.streamspace.billing.trials.Trials;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads and changes the plans accounts are on ({@code billing_subscriptions}). The database
 * keeps exactly one active subscription per account: at most one by a partial unique index, at
 * least one by a constraint trigger checked at commit (V2).
 */
public final class SubscriptionRepository {

  /** Why a plan change was refused. */
  public enum Refusal {
    /** The user has no billing account. */
    NO_ACCOUNT,
    /** The account is already on that plan. */
    SAME_PLAN,
    /** Another change of the same account got there first. */
    CONCURRENT_CHANGE,
    /** The active plan starts after the change's instant (a clock behind the last change). */
    NOT_STARTED,
    /** The account changed plans {@link #MAX_CHANGES_PER_HOUR} times in the last hour. */
    TOO_MANY_CHANGES
  }

  /**
   * How many plan changes an account may make in any hour through the API: enough to correct a
   * mistake or two, few enough that no one churns plans (and the events and quota checks each
   * change sets off) in a loop. Counted from the stored history, so it holds across nodes.
   */
  public static final int MAX_CHANGES_PER_HOUR = 10;

  private static final Duration CHANGE_WINDOW = Duration.ofHours(1);

  /** A refused plan change; nothing was stored. */
  public static final class ChangeRefused extends Exception {
    private final Refusal refusal;
    private final Duration retryAfter;

    ChangeRefused(Refusal refusal, String message) {
      this(refusal, message, null);
    }

    ChangeRefused(Refusal refusal, String message, Duration retryAfter) {
      super(message);
      this.refusal = refusal;
      this.retryAfter = retryAfter;
    }

    public Refusal refusal() {
      return refusal;
    }

    /** For {@link Refusal#TOO_MANY_CHANGES}: when a change would be taken again; else empty. */
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /**
   * A plan change made: the plan the account left, and the end of the trial the new term began
   * (null when it pays from the change: no trial offered, or one of the plan had already).
   */
  public record Changed(String previousPlan, Instant trialEnd) {}

  /**
   * An account's plans over time.
   *
   * @param terms oldest first; the last one is the active one ({@code to} null)
   */
  public record Subscriptions(String orgId, Currency currency, List<PlanTerm> terms) {

    public Subscriptions {
      terms = List.copyOf(terms);
    }

    /** The active term. */
    public PlanTerm current() {
      return terms.get(terms.size() - 1);
    }
  }

  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT a.currency, %s
          FROM billing_accounts a
          JOIN billing_subscriptions s ON s.user_id = a.user_id
          WHERE a.user_id = :user_id
          ORDER BY s.ended_at IS NULL, s.started_at, s.id
          """
              .formatted(PlanTermRows.COLUMNS));

  private static final NamedSql ACTIVE =
      NamedSql.of(
          """
          SELECT s.id, s.plan_id, s.started_at, s.plan_version, s.price
          FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.ended_at IS NULL
          """);

  // the same, its row held to the end of the transaction: a migration's move of it
  private static final NamedSql ACTIVE_HELD =
      NamedSql.of(
          """
          SELECT s.id, s.plan_id, s.started_at, s.plan_version, s.price
          FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.ended_at IS NULL
          FOR UPDATE
          """);

  // ended only if still active and in the currency the next term is priced in: a concurrent
  // change that ended it first, or a late user.created that moved the account to another
  // currency (MeteringStore), leaves 0 rows here
  private static final NamedSql END =
      NamedSql.of(
          """
          UPDATE billing_subscriptions SET ended_at = :now
          WHERE id = :id AND ended_at IS NULL AND currency = :currency
          """);

  // each change ends the term before it at the instant of the change: the account's changes in a
  // window are its terms ended in it (a change from Stripe's checkout counts too)
  private static final NamedSql RECENT_CHANGES =
      NamedSql.of(
          """
          SELECT count(*), min(ended_at) FROM billing_subscriptions
          WHERE user_id = :user_id AND ended_at > :since AND ended_at <= :now
          """);

  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  public SubscriptionRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The account's plans over time, or empty when the user has no account. */
  public Optional<Subscriptions> find(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = TERMS.bind("user_id", orgId).prepare(connection)) {
      Currency currency = null;
      List<PlanTerm> terms = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          currency = Currency.getInstance(rs.getString(1));
          terms.add(PlanTermRows.read(rs, 2));
        }
      }
      return currency == null
          ? Optional.empty()
          : Optional.of(new Subscriptions(orgId, currency, terms));
    }
  }

  /**
   * Moves the account onto {@code next} at {@code now}, in one transaction: the active term
   * ends at {@code now} and the next one starts then. {@code next.from} and {@code next.to}
   * are ignored; its price must be in the account's currency. Its {@code plan.changed} entry
   * is written with it.
   *
   * @return the change: the plan the account left, and its trial
   * @throws ChangeRefused when nothing was changed, and why
   */
  public Changed change(String orgId, PlanTerm next, Currency currency, Instant now, Cause cause)
      throws SQLException, ChangeRefused {
    try {
      return Transactions.inTransaction(
          dataSource,
          connection -> {
            requireUnderTheHourlyLimit(connection, orgId, now);
            return change(connection, orgId, next, currency, now, cause);
          });
    } catch (SQLException e) {
      // the partial unique index: another active subscription appeared meanwhile
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw concurrentChange();
      }
      throw e;
    }
  }

  /**
   * Refuses a change when the account made {@link #MAX_CHANGES_PER_HOUR} in the hour up to {@code
   * now}, saying when the oldest of them leaves that hour. Read in the change's transaction,
   * before it ends the active term: two changes at once on two nodes cannot both pass it, as the
   * second's end of that term finds it ended (a concurrent change, refused).
   */
  private static void requireUnderTheHourlyLimit(Connection connection, String orgId, Instant now)
      throws SQLException, ChangeRefused {
    try (PreparedStatement statement =
            RECENT_CHANGES
                .bind("user_id", orgId)
                .bind("since", now.minus(CHANGE_WINDOW))
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      if (rs.getInt(1) < MAX_CHANGES_PER_HOUR) {
        return;
      }
      Instant oldest = rs.getTimestamp(2).toInstant();
      Duration retryAfter = Duration.between(now, oldest.plus(CHANGE_WINDOW));
      throw new ChangeRefused(
          Refusal.TOO_MANY_CHANGES,
          "the plan of "
              + orgId
              + " was changed "
              + MAX_CHANGES_PER_HOUR
              + " times in the last hour, as many as an hour takes; the next change is taken"
              + " from "
              + oldest.plus(CHANGE_WINDOW),
          retryAfter);
    }
  }

  /**
   * {@link #change(String, PlanTerm, Currency, Instant)} in the caller's transaction (a
   * concurrent change may also fail it with the partial unique index's violation), without the
   * hourly limit: a change Stripe's checkout was paid for is made whatever came before.
   */
  public static Changed change(
      Connection connection,
      String orgId,
      PlanTerm next,
      Currency currency,
      Instant now,
      Cause cause)
      throws SQLException, ChangeRefused {
    long activeId;
    String previousPlan;
    try (PreparedStatement statement = ACTIVE.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new ChangeRefused(Refusal.NO_ACCOUNT, "no billing account for user " + orgId);
      }
      activeId = rs.getLong(1);
      previousPlan = rs.getString(2);
      if (previousPlan.equals(next.planId())) {
        throw new ChangeRefused(Refusal.SAME_PLAN, "already on " + next.planName());
      }
      if (rs.getTimestamp(3).toInstant().isAfter(now)) {
        throw new ChangeRefused(Refusal.NOT_STARTED, "the current plan starts after now");
      }
    }
    int ended =
        END.bind("now", now)
            .bind("id", activeId)
            .bind("currency", currency.getCurrencyCode())
            .update(connection);
    if (ended == 0) {
      throw concurrentChange();
    }
    TermStarts.Started started = TermStarts.start(connection, orgId, next, currency, now);
    AuditTrail.record(
        connection,
        new AuditEntry(
            now,
            cause,
            orgId,
            AuditKinds.PLAN_CHANGED,
            "subscription:" + orgId,
            Map.of("plan_id", previousPlan),
            TermStarts.audited(next, currency, started, Map.of())));
    return new Changed(previousPlan, started.trialEnd());
  }

  /**
   * Moves the organization from version {@code fromVersion} of plan {@code planId} onto {@code
   * next}, another version of it, at {@code at}, in the caller's transaction: its active term
   * (held to the end of the transaction) ends then and {@code next} starts then, when that term is
   * on that version in {@code currency} and started by then; otherwise nothing changes (the
   * organization changed plans, or joined the version after the instant). Its {@code
   * plan.changed} entry, naming the migration, is written with it.
   *
   * @return the fee it paid until then; empty when it did not move
   */
  public static Optional<BigDecimal> migrate(
      Connection connection,
      String orgId,
      String planId,
      int fromVersion,
      PlanTerm next,
      Currency currency,
      Instant at,
      long migrationId,
      Cause cause)
      throws SQLException {
    long activeId;
    BigDecimal price;
    try (PreparedStatement statement = ACTIVE_HELD.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()
          || !rs.getString(2).equals(planId)
          || rs.getInt(4) != fromVersion
          || rs.getTimestamp(3).toInstant().isAfter(at)) {
        return Optional.empty();
      }
      activeId = rs.getLong(1);
      price = rs.getBigDecimal(5);
    }
    int ended =
        END.bind("now", at)
            .bind("id", activeId)
            .bind("currency", currency.getCurrencyCode())
            .update(connection);
    if (ended == 0) {
      return Optional.empty(); // priced in another currency: its account moved meanwhile
    }
    TermStarts.Started started = TermStarts.start(connection, orgId, next, currency, at);
    Map<String, Object> before = new LinkedHashMap<>();
    before.put("plan_id", planId);
    before.put("plan_version", fromVersion);
    before.put("price", price);
    AuditTrail.record(
        connection,
        new AuditEntry(
            at,
            cause,
            orgId,
            AuditKinds.PLAN_CHANGED,
            "subscription:" + orgId,
            before,
            TermStarts.audited(next, currency, started, Map.of("migration_id", migrationId))));
    return Optional.of(price);
  }

  /**
   * Ends the organization's trial term at the trial's end and starts {@code next} then (a paid
   * term of the plan when the trial converts, else one of the default plan), in the caller's
   * transaction, when that term is still active; its {@code plan.changed} entry says {@code said}
   * of the end (its {@code trial} outcome, ...).
   *
   * @return whether it ended (false: a plan change ended it first)
   */
  public static boolean endTrial(
      Connection connection,
      Trials.Running trial,
      PlanTerm next,
      Map<String, Object> said,
      Cause cause)
      throws SQLException {
    Instant at = trial.endsAt();
    Currency currency = Currency.getInstance(trial.currency());
    int ended =
        END.bind("now", at)
            .bind("id", trial.termId())
            .bind("currency", currency.getCurrencyCode())
            .update(connection);
    if (ended == 0) {
      return false;
    }
    TermStarts.Started started =
        TermStarts.start(connection, trial.orgId(), next.withTrialEnd(null), currency, at);
    Map<String, Object> before = new LinkedHashMap<>();
    before.put("plan_id", trial.planId());
    before.put("price", BigDecimal.ZERO);
    before.put("trial_ends_at", at);
    AuditTrail.record(
        connection,
        new AuditEntry(
            at,
            cause,
            trial.orgId(),
            AuditKinds.PLAN_CHANGED,
            "subscription:" + trial.orgId(),
            before,
            TermStarts.audited(next, currency, started, said)));
    return true;
  }

  /** The plan the account is on, in the caller's transaction; null without an account. */
  public static String activePlan(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = ACTIVE.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getString(2) : null;
    }
  }

  private static ChangeRefused concurrentChange() {
    return new ChangeRefused(
        Refusal.CONCURRENT_CHANGE,
        "the plan was changed concurrently; read the subscription and try again");
  }
}
