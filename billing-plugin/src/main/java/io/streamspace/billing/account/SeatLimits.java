package io.streamspace.billing.account;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.function.BiConsumer;
import javax.sql.DataSource;

/**
 * The seat limits organizations' Owners set ({@code billing_seat_limits}), one per organization:
 * set (replacing the previous one), removed and read. Each change made here is handed to {@code
 * changedHere} once committed (admission counts it at once on this node; other nodes read it at
 * their next reload).
 */
public final class SeatLimits {

  /**
   * An organization's seat limit (null: none) and its seats now: a personal organization's one,
   * a team's members as {@code billing_memberships} decides them.
   */
  public record Seats(SeatLimit limit, int members) {}

  private static final NamedSql SET =
      NamedSql.of(
          """
          INSERT INTO billing_seat_limits (org_id, seat_limit, set_by, set_at)
          VALUES (:org_id, :seat_limit, :set_by, :set_at)
          ON CONFLICT (org_id) DO UPDATE
          SET seat_limit = excluded.seat_limit, set_by = excluded.set_by, set_at = excluded.set_at
          """);

  private static final NamedSql REMOVE =
      NamedSql.of("DELETE FROM billing_seat_limits WHERE org_id = :org_id");

  // the limit a change replaces or removes, locked until the change commits
  private static final NamedSql CURRENT =
      NamedSql.of(
          """
          SELECT seat_limit, set_by, set_at FROM billing_seat_limits
          WHERE org_id = :org_id FOR UPDATE""");

  private static final NamedSql SEATS =
      NamedSql.of(
          """
          SELECT l.seat_limit, l.set_by, l.set_at,
                 CASE WHEN a.personal THEN 1
                      ELSE (SELECT count(*) FROM billing_memberships m
                            WHERE m.org_id = a.user_id) END AS members
          FROM billing_accounts a
          LEFT JOIN billing_seat_limits l ON l.org_id = a.user_id
          WHERE a.user_id = :org_id
          """);

  private final DataSource dataSource;
  private final BiConsumer<String, SeatLimit> changedHere;

  /**
   * @param changedHere told of each change committed here: the organization and its limit now
   *     (null once removed)
   */
  public SeatLimits(DataSource dataSource, BiConsumer<String, SeatLimit> changedHere) {
    this.dataSource = dataSource;
    this.changedHere = changedHere;
  }

  /**
   * Sets the organization's limit, replacing the one it had, with its {@code seat_limit.set}
   * entry. The account must exist.
   */
  public void set(SeatLimit limit, Cause cause) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          SeatLimit before = current(connection, limit.orgId());
          SET.bind("org_id", limit.orgId())
              .bind("seat_limit", limit.limit())
              .bind("set_by", limit.setBy())
              .bind("set_at", limit.setAt())
              .update(connection);
          audit(
              connection,
              AuditKinds.SEAT_LIMIT_SET,
              limit.orgId(),
              before,
              limit,
              limit.setAt(),
              cause);
          return null;
        });
    changedHere.accept(limit.orgId(), limit);
  }

  /**
   * Removes the organization's limit, if it has one (with its {@code seat_limit.removed} entry):
   * only the plan's limits are left.
   */
  public void remove(String orgId, Instant now, Cause cause) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          SeatLimit before = current(connection, orgId);
          if (REMOVE.bind("org_id", orgId).update(connection) == 1) {
            audit(connection, AuditKinds.SEAT_LIMIT_REMOVED, orgId, before, null, now, cause);
          }
          return null;
        });
    changedHere.accept(orgId, null);
  }

  private static SeatLimit current(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = CURRENT.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? new SeatLimit(orgId, rs.getInt(1), rs.getString(2), Sql.instant(rs.getTimestamp(3)))
          : null;
    }
  }

  private static void audit(
      Connection connection,
      String kind,
      String orgId,
      SeatLimit before,
      SeatLimit after,
      Instant now,
      Cause cause)
      throws SQLException {
    AuditTrail.record(
        connection, new AuditEntry(now, cause, orgId, kind, "seat_limit:" + orgId, before, after));
  }

  /** The organization's limit and members now; its account must exist. */
  public Seats of(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = SEATS.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("no billing account " + orgId);
      }
      int limit = rs.getInt(1);
      SeatLimit set =
          rs.wasNull()
              ? null
              : new SeatLimit(orgId, limit, rs.getString(2), Sql.instant(rs.getTimestamp(3)));
      return new Seats(set, rs.getInt(4));
    }
  }
}
