package io.streamspace.billing.plans;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What plan-migrations does each minute: tells the organizations of the migrations whose notice
 * is due, and moves those of the migrations whose effective instant has come.
 *
 * <p><b>Told once</b>: {@link MigrationNotices}.
 *
 * <p><b>Moved at the instant.</b> From {@code effective_at}, the organizations still on {@code
 * from_version} move onto {@code to_version} at {@code effective_at} itself, whenever the run
 * comes: their term on the old version ends then and one on the new starts then, priced in their
 * currency, so an invoice prorates the two as it does a plan change ({@link
 * SubscriptionRepository#migrate}, each with its {@code plan.changed} entry naming the
 * migration). A page of {@value #PAGE} moves in one transaction holding the migration's row (a
 * cancellation waits for it, and finds it taking effect); the migration is {@code applied} with
 * the page that leaves none to move. Each moved organization is told {@code
 * billing.subscription.changed} once its page committed.
 */
public final class MigrationRuns {

  static final int PAGE = 200;

  private static final Logger log = LoggerFactory.getLogger(MigrationRuns.class);

  private static final NamedSql MOVES_DUE =
      NamedSql.of(
          """
          SELECT id FROM billing_plan_migrations
          WHERE status = 'scheduled' AND effective_at <= :now ORDER BY id""");

  // the migration's row held for the page: a cancellation waits, then finds it taking effect
  private static final NamedSql HOLD =
      NamedSql.of(
          """
          SELECT %s FROM billing_plan_migrations
          WHERE id = :id AND status = 'scheduled' AND effective_at <= :now FOR UPDATE"""
              .formatted(PlanMigrations.COLUMNS));

  private static final NamedSql TO_MOVE =
      NamedSql.of(
          """
          SELECT s.user_id, s.currency %s AND s.started_at <= :effective_at
            AND s.user_id > :after
          ORDER BY s.user_id LIMIT :page"""
              .formatted(PlanMigrations.ON_VERSION));

  // the organization, when it is one the migration moves: its currency
  private static final NamedSql ONE_TO_MOVE =
      NamedSql.of(
          """
          SELECT s.currency %s AND s.started_at <= :effective_at AND s.user_id = :org"""
              .formatted(PlanMigrations.ON_VERSION));

  private static final NamedSql MOVED =
      NamedSql.of(
          """
          UPDATE billing_plan_migrations
          SET moved = moved + :moved,
              status = CASE WHEN :done THEN 'applied' ELSE status END,
              applied_at = CASE WHEN :done THEN :now ELSE applied_at END
          WHERE id = :id""");

  private final DataSource dataSource;
  private final PlanChanges changes;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;
  private final MigrationNotices notices;

  public MigrationRuns(
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
    this.notices = new MigrationNotices(dataSource, events, this::planName, clock);
  }

  /**
   * Tells the organizations of each migration whose notice is due that have not been told, and
   * publishes the notices a node died before publishing ({@link MigrationNotices}).
   *
   * @return how many were told
   */
  public int tell() throws SQLException {
    return notices.tell();
  }

  /**
   * Moves the organizations of each migration whose effective instant has come.
   *
   * @param cause the run's: the job, or the admin who started it by hand
   * @return how many were moved
   */
  public int move(Cause cause) throws SQLException {
    Instant now = clock.instant();
    List<Long> due = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = MOVES_DUE.bind("now", now).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        due.add(rs.getLong(1));
      }
    }
    int moved = 0;
    for (long id : due) {
      Optional<Page> page = Optional.of(new Page(0, 0, ""));
      do {
        page = movePage(id, cause, now, page.get().last());
        moved += page.map(Page::moved).orElse(0);
      } while (page.isPresent() && page.get().looked() == PAGE);
    }
    return moved;
  }

  /**
   * Moves the organization as the next run would, in the caller's transaction, when a migration
   * whose effective instant has come moves it and no run has yet (they come every minute): a plan
   * change made before that run then starts from the term the move makes, the organization on
   * {@code to_version} from {@code effective_at}, not from its old version's term running past it.
   * Each such migration's row is held, as a run's page holds it, and its {@code moved} counted.
   *
   * @param cause the plan-migrations job's: the move is its work, made a little early
   * @return what to run once the transaction is committed (the moves' events)
   */
  public List<Runnable> moveDueInTransaction(Connection connection, String orgId, Cause cause)
      throws SQLException {
    Instant now = clock.instant();
    List<Long> due = new ArrayList<>();
    try (PreparedStatement statement = MOVES_DUE.bind("now", now).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        due.add(rs.getLong(1));
      }
    }
    List<Runnable> told = new ArrayList<>();
    for (long id : due) {
      Optional<PlanMigration> held =
          PlanMigrations.one(connection, HOLD.bind("id", id).bind("now", now));
      if (held.isEmpty()) {
        continue;
      }
      PlanMigration migration = held.get();
      String currency = null;
      try (PreparedStatement statement =
              ONE_TO_MOVE
                  .bind("plan_id", migration.planId())
                  .bind("from_version", migration.fromVersion())
                  .bind("effective_at", migration.effectiveAt())
                  .bind("org", orgId)
                  .prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        if (rs.next()) {
          currency = rs.getString(1);
        }
      }
      if (currency == null) {
        continue;
      }
      PlanVersion to = version(connection, migration.planId(), migration.toVersion());
      Optional<Runnable> moved =
          moveOne(connection, migration, to, new String[] {orgId, currency}, cause);
      if (moved.isPresent()) {
        told.add(moved.get());
        MOVED
            .bind("moved", 1)
            .bind("done", false)
            .bind("now", now)
            .bind("id", id)
            .update(connection);
      }
    }
    return told;
  }

  /** {@link #moveDueInTransaction} in a transaction of its own, then its events. */
  public void moveDue(String orgId, Cause cause) throws SQLException {
    Transactions.inTransaction(
            dataSource, connection -> moveDueInTransaction(connection, orgId, cause))
        .forEach(Runnable::run);
  }

  /**
   * A page of a migration's moves: the organizations it looked at, those it moved, and the last
   * one's id, after which the next page starts (one that stays, unpriced, is not looked at again).
   */
  private record Page(int looked, int moved, String last) {}

  /**
   * One page of a migration's moves, in one transaction, then their events.
   *
   * @return the page; empty when the migration is no longer to apply (cancelled, or applied by
   *     another run)
   */
  private Optional<Page> movePage(long id, Cause cause, Instant now, String after)
      throws SQLException {
    List<Runnable> committed = new ArrayList<>();
    Optional<Page> page =
        Transactions.inTransaction(
            dataSource,
            connection -> {
              Optional<PlanMigration> held =
                  PlanMigrations.one(connection, HOLD.bind("id", id).bind("now", now));
              if (held.isEmpty()) {
                return Optional.<Page>empty();
              }
              PlanMigration migration = held.get();
              PlanVersion to = version(connection, migration.planId(), migration.toVersion());
              List<String[]> orgs = toMove(connection, migration, after);
              int moved = 0;
              for (String[] org : orgs) {
                Optional<Runnable> told = moveOne(connection, migration, to, org, cause);
                told.ifPresent(committed::add);
                moved += told.isPresent() ? 1 : 0;
              }
              MOVED
                  .bind("moved", moved)
                  .bind("done", orgs.size() < PAGE)
                  .bind("now", now)
                  .bind("id", id)
                  .update(connection);
              return Optional.of(
                  new Page(
                      orgs.size(), moved, orgs.isEmpty() ? after : orgs.get(orgs.size() - 1)[0]));
            });
    committed.forEach(Runnable::run);
    return page;
  }

  private Optional<Runnable> moveOne(
      Connection connection, PlanMigration migration, PlanVersion to, String[] org, Cause cause)
      throws SQLException {
    Currency currency = Currency.getInstance(org[1].trim());
    Optional<BigDecimal> price = to.terms().priceIn(currency);
    if (price.isEmpty()) { // a currency the version does not price: the organization stays
      log.warn(
          "plan migration {}: {} stays on {} v{}: v{} has no price in {}",
          migration.id(),
          org[0],
          migration.planId(),
          migration.fromVersion(),
          migration.toVersion(),
          currency);
      return Optional.empty();
    }
    PlanTerm next = termOf(to, planName(to), price.get(), migration.effectiveAt(), null);
    return changes.migrateInTransaction(
        connection,
        org[0],
        migration.fromVersion(),
        next,
        currency,
        migration.effectiveAt(),
        migration.id(),
        cause);
  }

  /**
   * The term of version {@code to} at {@code price} over {@code [from, until)}, with every limit
   * of the version (the seats and counters it includes among them).
   */
  static PlanTerm termOf(
      PlanVersion to, String name, BigDecimal price, Instant from, Instant until) {
    return new PlanTerm(
        to.planId(),
        name,
        price,
        to.terms().interval(),
        to.terms().limitOf(Meter.CPU_CORES),
        to.terms().limitOf(Meter.MEMORY_GB),
        to.terms().limitOf(Meter.STORAGE_GB),
        to.terms().heldLimits(),
        from,
        until,
        to.version(),
        null,
        to.terms().meterLimits());
  }

  /** The plan's name now, as configured; the version's when the plan left the config. */
  String planName(PlanVersion version) {
    return config.get().plan(version.planId()).map(SubscriptionPlan::name).orElse(version.name());
  }

  private static List<String[]> toMove(Connection connection, PlanMigration migration, String after)
      throws SQLException {
    List<String[]> orgs = new ArrayList<>();
    try (PreparedStatement statement =
            TO_MOVE
                .bind("plan_id", migration.planId())
                .bind("from_version", migration.fromVersion())
                .bind("effective_at", migration.effectiveAt())
                .bind("after", after)
                .bind("page", PAGE)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        orgs.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    return orgs;
  }

  static PlanVersion version(Connection connection, String planId, int version)
      throws SQLException {
    return PlanVersions.of(connection, planId).stream()
        .filter(v -> v.version() == version)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(planId + " has no version " + version));
  }
}
