package io.streamspace.billing.plans;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.PlanMigrationCancelled;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Plan migrations as an admin schedules and cancels them ({@code billing_plan_migrations}, V90),
 * and which organizations one concerns; their notices and moves are {@link MigrationRuns}'.
 *
 * <p><b>Who moves.</b> The organizations open now whose active term is on the migration's {@code
 * from_version} of its plan ({@link #ON_VERSION}), but those whose plan a Stripe Subscription
 * charges (not cancelled): its price is Stripe's, changed in the Customer Portal, and a term moved
 * here would not move it; and those on a trial of the plan, which converts on the version it began
 * on ({@code TrialRuns}). The same organizations are previewed, told and moved.
 */
public final class PlanMigrations {

  /** A migration as an admin asks for it, its instants resolved. */
  public record Proposed(
      String planId, int fromVersion, int toVersion, Instant effectiveAt, int noticeDays) {

    /** When its organizations are told: {@code noticeDays} days before it takes effect. */
    public Instant noticeAt() {
      return effectiveAt.minus(Duration.ofDays(noticeDays));
    }
  }

  /** Another migration from the same version is scheduled; nothing was stored. */
  public static final class AlreadyScheduled extends Exception {
    private final long existing;

    AlreadyScheduled(long existing) {
      super("migration " + existing + " from that version is scheduled: cancel it first");
      this.existing = existing;
    }

    public long existing() {
      return existing;
    }
  }

  /** The migration cannot be cancelled: it took effect, or was cancelled; nothing changed. */
  public static final class NotCancellable extends Exception {
    NotCancellable(String message) {
      super(message);
    }
  }

  /**
   * The organizations on a version of a plan that a migration concerns (class comment), as the
   * rows {@code s} (the active term) and {@code a} (the account): {@code :plan_id} and {@code
   * :from_version} to bind.
   */
  static final String ON_VERSION =
      """
      FROM billing_subscriptions s
      JOIN billing_accounts a ON a.user_id = s.user_id
      WHERE s.plan_id = :plan_id AND s.plan_version = :from_version AND s.ended_at IS NULL
        AND s.trial_ends_at IS NULL AND a.closed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM billing_stripe_subscriptions t
                        WHERE t.account_id = s.user_id AND t.status <> 'canceled')""";

  static final String COLUMNS =
      """
      id, plan_id, from_version, to_version, effective_at, notice_days, notice_at, status,
      reason, created_by, created_at, cancelled_at, cancelled_by, applied_at, moved""";

  private static final NamedSql SCHEDULE =
      NamedSql.of(
          """
          INSERT INTO billing_plan_migrations (plan_id, from_version, to_version, effective_at,
              notice_days, notice_at, reason, created_by, created_at)
          VALUES (:plan_id, :from_version, :to_version, :effective_at, :notice_days, :notice_at,
              :reason, :created_by, :now)
          ON CONFLICT (plan_id, from_version) WHERE status = 'scheduled' DO NOTHING
          RETURNING %s"""
              .formatted(COLUMNS));

  private static final NamedSql SCHEDULED_FROM =
      NamedSql.of(
          """
          SELECT id FROM billing_plan_migrations
          WHERE plan_id = :plan_id AND from_version = :from_version AND status = 'scheduled'""");

  private static final NamedSql OF_PLAN =
      NamedSql.of(
          "SELECT %s FROM billing_plan_migrations WHERE plan_id = :plan_id ORDER BY id"
              .formatted(COLUMNS));

  // taken only while it has not taken effect: plan-migrations moves no one before effective_at,
  // and from then on this leaves it as it is (both hold its row: one waits for the other)
  private static final NamedSql CANCEL =
      NamedSql.of(
          """
          UPDATE billing_plan_migrations
          SET status = 'cancelled', cancelled_at = :now, cancelled_by = :by, cancel_reason = :reason
          WHERE id = :id AND plan_id = :plan_id AND status = 'scheduled' AND effective_at > :now
          RETURNING %s"""
              .formatted(COLUMNS));

  private static final NamedSql ONE =
      NamedSql.of(
          "SELECT %s FROM billing_plan_migrations WHERE id = :id AND plan_id = :plan_id"
              .formatted(COLUMNS));

  private static final NamedSql NOTIFIED =
      NamedSql.of(
          """
          SELECT org_id FROM billing_plan_migration_notices
          WHERE migration_id = :id ORDER BY org_id""");

  private static final NamedSql CONCERNED = NamedSql.of("SELECT count(*) " + ON_VERSION);

  private static final NamedSql CURRENCIES =
      NamedSql.of("SELECT DISTINCT s.currency " + ON_VERSION);

  // the migration the organization was told of that has not taken effect, while it is still on
  // the version it moves from
  private static final NamedSql COMING =
      NamedSql.of(
          """
          SELECT %s FROM billing_plan_migrations m
          WHERE m.status = 'scheduled'
            AND m.id IN (SELECT n.migration_id FROM billing_plan_migration_notices n
                         WHERE n.org_id = :org_id)
            AND EXISTS (SELECT 1 FROM billing_subscriptions s
                        WHERE s.user_id = :org_id AND s.ended_at IS NULL
                          AND s.plan_id = m.plan_id AND s.plan_version = m.from_version)
          ORDER BY m.effective_at LIMIT 1"""
              .formatted(prefixed("m.")));

  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final BillingEvents events;

  public PlanMigrations(DataSource dataSource, BillingEvents events) {
    this.dataSource = dataSource;
    this.events = events;
  }

  /**
   * Stores the migration with its {@code plan_migration.scheduled} entry (platform-wide), in one
   * transaction.
   *
   * @throws AlreadyScheduled when one from the same version is (nothing stored)
   */
  public PlanMigration schedule(Proposed proposed, Cause cause, Instant now)
      throws SQLException, AlreadyScheduled {
    try {
      return Transactions.inTransaction(
          dataSource,
          connection -> {
            Optional<PlanMigration> stored =
                one(
                    connection,
                    SCHEDULE
                        .bind("plan_id", proposed.planId())
                        .bind("from_version", proposed.fromVersion())
                        .bind("to_version", proposed.toVersion())
                        .bind("effective_at", proposed.effectiveAt())
                        .bind("notice_days", proposed.noticeDays())
                        .bind("notice_at", proposed.noticeAt())
                        .bind("reason", cause.reason())
                        .bind("created_by", cause.actor().id())
                        .bind("now", now));
            if (stored.isEmpty()) {
              throw new AlreadyScheduled(scheduledFrom(connection, proposed));
            }
            PlanMigration migration = stored.get();
            AuditTrail.record(
                connection,
                new AuditEntry(
                    now,
                    cause,
                    null,
                    AuditKinds.PLAN_MIGRATION_SCHEDULED,
                    subject(migration),
                    Map.of(),
                    audited(migration)));
            return migration;
          });
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) { // one scheduled at the same instant
        try (Connection connection = dataSource.getConnection()) {
          throw new AlreadyScheduled(scheduledFrom(connection, proposed));
        }
      }
      throw e;
    }
  }

  /**
   * Cancels the migration while it has not taken effect, with its {@code
   * plan_migration.cancelled} entry, in one transaction; then tells each organization told of it
   * ({@code billing.plan.migration_cancelled}). Nothing else changes: no organization had moved.
   *
   * @throws NotCancellable when it took effect or was cancelled (nothing changed)
   */
  public PlanMigration cancel(String planId, long id, Cause cause, Instant now)
      throws SQLException, NotCancellable {
    List<String> told = new ArrayList<>();
    PlanMigration cancelled =
        Transactions.inTransaction(
            dataSource,
            connection -> {
              Optional<PlanMigration> done =
                  one(
                      connection,
                      CANCEL
                          .bind("id", id)
                          .bind("plan_id", planId)
                          .bind("now", now)
                          .bind("by", cause.actor().id())
                          .bind("reason", cause.reason()));
              if (done.isEmpty()) {
                throw notCancellable(one(connection, ONE.bind("id", id).bind("plan_id", planId)));
              }
              Map<String, Object> before = Map.of("status", PlanMigration.SCHEDULED);
              AuditTrail.record(
                  connection,
                  new AuditEntry(
                      now,
                      cause,
                      null,
                      AuditKinds.PLAN_MIGRATION_CANCELLED,
                      subject(done.get()),
                      before,
                      audited(done.get())));
              told.addAll(notified(connection, id));
              return done.get();
            });
    for (String orgId : told) {
      events.planMigrationCancelled(
          new PlanMigrationCancelled(
              orgId,
              id,
              planId,
              cancelled.fromVersion(),
              cancelled.toVersion(),
              cancelled.effectiveAt()));
    }
    return cancelled;
  }

  /** The plan's migrations, oldest first. */
  public List<PlanMigration> of(String planId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return all(connection, OF_PLAN.bind("plan_id", planId));
    }
  }

  /** A migration an organization was told of, with the version it moves it onto. */
  public record Coming(PlanMigration migration, PlanVersion to) {}

  /**
   * The migration the organization was told of ({@code billing.plan.migration_scheduled}) that
   * has not taken effect yet, while it is on the version it moves from; the nearest first.
   */
  public Optional<Coming> comingFor(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Optional<PlanMigration> coming = one(connection, COMING.bind("org_id", orgId));
      if (coming.isEmpty()) {
        return Optional.empty();
      }
      PlanMigration m = coming.get();
      return PlanVersions.of(connection, m.planId()).stream()
          .filter(v -> v.version() == m.toVersion())
          .findFirst()
          .map(to -> new Coming(m, to));
    }
  }

  /** How many organizations a migration from that version would move now. */
  public long concerned(String planId, int fromVersion) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            CONCERNED
                .bind("plan_id", planId)
                .bind("from_version", fromVersion)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The currencies of the organizations a migration from that version would move, sorted. */
  public List<String> currenciesConcerned(String planId, int fromVersion) throws SQLException {
    TreeSet<String> currencies = new TreeSet<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            CURRENCIES
                .bind("plan_id", planId)
                .bind("from_version", fromVersion)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        currencies.add(rs.getString(1).trim());
      }
    }
    return List.copyOf(currencies);
  }

  private static long scheduledFrom(Connection connection, Proposed proposed) throws SQLException {
    try (PreparedStatement statement =
            SCHEDULED_FROM
                .bind("plan_id", proposed.planId())
                .bind("from_version", proposed.fromVersion())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static List<String> notified(Connection connection, long id) throws SQLException {
    List<String> orgs = new ArrayList<>();
    try (PreparedStatement statement = NOTIFIED.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        orgs.add(rs.getString(1));
      }
    }
    return orgs;
  }

  private static NotCancellable notCancellable(Optional<PlanMigration> found) {
    if (found.isEmpty()) {
      return new NotCancellable("no such migration of this plan");
    }
    PlanMigration m = found.get();
    return new NotCancellable(
        PlanMigration.CANCELLED.equals(m.status())
            ? "migration " + m.id() + " was cancelled at " + m.cancelledAt()
            : "migration " + m.id() + " took effect at " + m.effectiveAt());
  }

  static String subject(PlanMigration migration) {
    return "plan_migration:" + migration.id();
  }

  private static Map<String, Object> audited(PlanMigration m) {
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("plan_id", m.planId());
    after.put("from_version", m.fromVersion());
    after.put("to_version", m.toVersion());
    after.put("effective_at", m.effectiveAt());
    after.put("notice_days", m.noticeDays());
    after.put("notice_at", m.noticeAt());
    after.put("status", m.status());
    return after;
  }

  static Optional<PlanMigration> one(Connection connection, NamedSql.Binding query)
      throws SQLException {
    List<PlanMigration> found = all(connection, query);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  static List<PlanMigration> all(Connection connection, NamedSql.Binding query)
      throws SQLException {
    List<PlanMigration> migrations = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        migrations.add(read(rs));
      }
    }
    return migrations;
  }

  /** The migration of a row of {@link #COLUMNS}. */
  private static PlanMigration read(ResultSet rs) throws SQLException {
    return new PlanMigration(
        rs.getLong(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getInt(4),
        rs.getTimestamp(5).toInstant(),
        rs.getInt(6),
        rs.getTimestamp(7).toInstant(),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        rs.getTimestamp(11).toInstant(),
        Sql.instant(rs.getTimestamp(12)),
        rs.getString(13),
        Sql.instant(rs.getTimestamp(14)),
        rs.getInt(15));
  }

  /** {@link #COLUMNS}, each with the table's alias in front. */
  private static String prefixed(String alias) {
    return alias + COLUMNS.strip().replaceAll(",\\s*", ", " + alias);
  }
}
