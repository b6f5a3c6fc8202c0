package io.streamspace.billing.plans;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.PlanMigrationNotice;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.planversions.PlanVersion;
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
import java.util.TreeMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The notices of plan-migrations' runs ({@link MigrationRuns}).
 *
 * <p><b>Told once.</b> From {@code notice_at} while it is scheduled (so at the latest as it moves
 * them, {@code notice_days} 0 included), each organization a migration concerns ({@link
 * PlanMigrations#ON_VERSION}) that has no notice of it gets a row of {@code
 * billing_plan_migration_notices}, {@value MigrationRuns#PAGE} at a time, in one statement that
 * returns the rows it made: only the run whose insert made a row publishes its {@code
 * billing.plan.migration_scheduled}, so a second node or a second run tells no one twice. One that
 * joins the version after the notice instant is told at the next run. The row keeps its event and
 * is marked published once the event is out: one whose node died in between is published from
 * the row by a run after {@link #PUBLISH_LEASE} ({@link #republish}).
 */
final class MigrationNotices {

  private static final NamedSql NOTICES_DUE =
      NamedSql.of(
          """
          SELECT %s FROM billing_plan_migrations
          WHERE status = 'scheduled' AND notice_at <= :now ORDER BY id"""
              .formatted(PlanMigrations.COLUMNS));

  private static final NamedSql TELL =
      NamedSql.of(
          """
          WITH due AS (
            SELECT s.user_id, s.currency, s.price, s.billing_interval
            %s
              AND s.started_at <= :effective_at
              AND NOT EXISTS (SELECT 1 FROM billing_plan_migration_notices n
                              WHERE n.migration_id = :id AND n.org_id = s.user_id)
            ORDER BY s.user_id LIMIT :page
          ), told AS (
            INSERT INTO billing_plan_migration_notices (migration_id, org_id, noticed_at,
                claimed_at)
            SELECT :id, user_id, :now, :now FROM due
            ON CONFLICT DO NOTHING
            RETURNING org_id
          )
          SELECT d.user_id, d.currency, d.price, d.billing_interval
          FROM due d JOIN told t ON t.org_id = d.user_id
          ORDER BY d.user_id"""
              .formatted(PlanMigrations.ON_VERSION));

  // what each notice made publishes, kept with it in the transaction that made it
  private static final NamedSql KEEP =
      NamedSql.of(
          """
          UPDATE billing_plan_migration_notices n SET payload = k.payload::jsonb
          FROM unnest(:orgs::text[], :payloads::text[]) AS k(org_id, payload)
          WHERE n.migration_id = :id AND n.org_id = k.org_id""");

  private static final NamedSql PUBLISHED =
      NamedSql.of(
          """
          UPDATE billing_plan_migration_notices SET published_at = :now
          WHERE migration_id = :id AND org_id = ANY(:orgs::text[])""");

  // the notices a node made and did not publish (it died between its commit and the publish),
  // claimed again once their claim is older than the lease, but a cancelled migration's
  private static final NamedSql UNPUBLISHED =
      NamedSql.of(
          """
          UPDATE billing_plan_migration_notices n SET claimed_at = :now
          FROM billing_plan_migrations m
          WHERE m.id = n.migration_id AND m.status <> 'cancelled'
            AND n.published_at IS NULL AND n.claimed_at <= :stale
          RETURNING n.migration_id, n.org_id, n.payload::text""");

  /** How long a notice made is left to its node to publish before a later run publishes it. */
  static final Duration PUBLISH_LEASE = Duration.ofMinutes(2);

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Function<PlanVersion, String> planName;
  private final Clock clock;

  MigrationNotices(
      DataSource dataSource,
      BillingEvents events,
      Function<PlanVersion, String> planName,
      Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.planName = planName;
    this.clock = clock;
  }

  /**
   * Tells the organizations of each migration whose notice is due that have not been told.
   *
   * @return how many were told
   */
  public int tell() throws SQLException {
    Instant now = clock.instant();
    int told = republish(now);
    List<PlanMigration> due;
    try (Connection connection = dataSource.getConnection()) {
      due = PlanMigrations.all(connection, NOTICES_DUE.bind("now", now));
    }
    for (PlanMigration migration : due) {
      PlanVersion to = version(migration);
      List<PlanMigrationNotice> page;
      do {
        page = tellPage(migration, to, now);
        published(migration.id(), page, now);
        told += page.size();
      } while (page.size() == MigrationRuns.PAGE);
    }
    return told;
  }

  /**
   * Publishes the notices, then marks them published: a node that dies before the mark leaves
   * them to a later run ({@link #republish}).
   */
  private void published(long migrationId, List<PlanMigrationNotice> notices, Instant now)
      throws SQLException {
    if (notices.isEmpty()) {
      return;
    }
    notices.forEach(events::planMigrationScheduled);
    try (Connection connection = dataSource.getConnection()) {
      PUBLISHED
          .bind("now", now)
          .bind("id", migrationId)
          .bind("orgs", SqlArrays.array(connection, notices, PlanMigrationNotice::orgId))
          .update(connection);
    }
  }

  /**
   * Publishes from their rows the notices made at least {@link #PUBLISH_LEASE} ago and never
   * published (their node died between the row's commit and the publish), claimed first so that
   * one run publishes each.
   *
   * @return how many
   */
  private int republish(Instant now) throws SQLException {
    Map<Long, List<PlanMigrationNotice>> claimed = new TreeMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            UNPUBLISHED
                .bind("now", now)
                .bind("stale", now.minus(PUBLISH_LEASE))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        claimed
            .computeIfAbsent(rs.getLong(1), id -> new ArrayList<>())
            .add(JsonMapper.read(rs.getString(3), PlanMigrationNotice.class));
      }
    }
    int told = 0;
    for (Map.Entry<Long, List<PlanMigrationNotice>> notices : claimed.entrySet()) {
      published(notices.getKey(), notices.getValue(), now);
      told += notices.getValue().size();
    }
    return told;
  }

  /** Makes a page of notices, each with the event it publishes, in one transaction. */
  private List<PlanMigrationNotice> tellPage(PlanMigration migration, PlanVersion to, Instant now)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          List<PlanMigrationNotice> notices = made(connection, migration, to, now);
          if (!notices.isEmpty()) {
            KEEP.bind("id", migration.id())
                .bind("orgs", SqlArrays.array(connection, notices, PlanMigrationNotice::orgId))
                .bind("payloads", SqlArrays.array(connection, notices, JsonMapper::write))
                .update(connection);
          }
          return notices;
        });
  }

  private List<PlanMigrationNotice> made(
      Connection connection, PlanMigration migration, PlanVersion to, Instant now)
      throws SQLException {
    List<PlanMigrationNotice> notices = new ArrayList<>();
    try (PreparedStatement statement =
            TELL.bind("plan_id", migration.planId())
                .bind("from_version", migration.fromVersion())
                .bind("id", migration.id())
                .bind("effective_at", migration.effectiveAt())
                .bind("now", now)
                .bind("page", MigrationRuns.PAGE)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(2).trim());
        notices.add(
            new PlanMigrationNotice(
                rs.getString(1),
                migration.id(),
                migration.planId(),
                planName.apply(to),
                migration.fromVersion(),
                migration.toVersion(),
                migration.effectiveAt(),
                currency.getCurrencyCode(),
                Money.shown(rs.getBigDecimal(3), currency),
                rs.getString(4),
                to.terms().priceIn(currency).map(p -> Money.shown(p, currency)).orElse(null),
                to.terms().interval()));
      }
    }
    return notices;
  }

  private PlanVersion version(PlanMigration migration) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return MigrationRuns.version(connection, migration.planId(), migration.toVersion());
    }
  }
}
