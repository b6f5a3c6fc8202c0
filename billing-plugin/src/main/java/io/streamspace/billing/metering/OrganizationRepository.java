package io.streamspace.billing.metering;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.metering.MeteringBatch.OrgEventRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stores what a batch says of organizations, in the caller's transaction: every organization
 * event kept by its id (memberships are decided from them by event time, {@code
 * billing_memberships}), and the accounts of deleted organizations closed. Each is one statement
 * over all the batch's rows, and storing the same rows twice changes nothing.
 */
final class OrganizationRepository {

  /**
   * The SQLState of an org.created refused because its id is a user's personal organization:
   * integrity constraint violation, unique ({@link WriteFailures}: a permanent failure, so the
   * queue isolates the event and sets it aside). Organizations and users share one namespace,
   * and the account key is taken.
   */
  static final String ID_TAKEN = "23505";

  // Keyed by the event id: a redelivered event inserts nothing (and is not returned, so it
  // writes no second audit entry).
  private static final NamedSql INSERT_EVENTS =
      NamedSql.of(
          """
          INSERT INTO billing_org_events (event_id, org_id, type, user_id, role, occurred_at)
          SELECT * FROM unnest(:event_id::text[], :org_id::text[], :type::text[],
                               :user_id::text[], :role::text[],
                               :occurred_at::text[]::timestamptz[])
          ON CONFLICT DO NOTHING
          RETURNING event_id, org_id, type, user_id, role, occurred_at
          """);

  /** The roles that give billing rights: the Owner pays and changes the plan, an Admin watches. */
  private static final Set<String> BILLING_ROLES = Set.of("owner", "admin");

  private static final NamedSql PERSONAL =
      NamedSql.of(
          """
          SELECT user_id FROM billing_accounts
          WHERE user_id = ANY (:org_id::text[]) AND personal
          ORDER BY user_id
          """);

  // Reads the org.deleted events kept, those of earlier batches too: an org.deleted that
  // arrived before its org.created (or before the session that opened the account) closes the
  // account once it is opened. Locks only the accounts that close (rare); run after the session
  // rows, as AccountOpeningRepository's updates.
  private static final NamedSql CLOSE_DELETED =
      NamedSql.of(
          """
          UPDATE billing_accounts a SET closed_at = d.deleted_at
          FROM (SELECT org_id, min(occurred_at) AS deleted_at FROM billing_org_events
                WHERE org_id = ANY (:org_id::text[]) AND type = 'org.deleted'
                GROUP BY org_id) d
          WHERE a.user_id = d.org_id AND NOT a.personal
            AND (a.closed_at IS NULL OR d.deleted_at < a.closed_at)
          """);

  /**
   * Keeps the events, each once under its id.
   *
   * @return the audit entries of the new ones that give a member billing rights (owner or
   *     admin), for the caller to write once it has taken its account rows' locks: entries take
   *     their chains' heads, which finalization takes after the accounts' (so this order never
   *     deadlocks with it). Memberships are decided by event time, so an entry records what the
   *     platform said and when: a late event may not change the role in effect.
   */
  List<AuditEntry> insertEvents(Connection connection, List<OrgEventRow> events)
      throws SQLException {
    List<AuditEntry> billingRoles = new ArrayList<>();
    if (events.isEmpty()) {
      return billingRoles;
    }
    NamedSql.Binding insert =
        BatchColumns.bind(
            connection,
            INSERT_EVENTS.binding(),
            events,
            Map.of(
                "event_id", OrgEventRow::eventId,
                "org_id", OrgEventRow::orgId,
                "type", OrgEventRow::type,
                "user_id", OrgEventRow::userId,
                "role", OrgEventRow::role,
                "occurred_at", OrgEventRow::occurredAt));
    try (PreparedStatement statement = insert.prepare(connection);
        ResultSet inserted = statement.executeQuery()) {
      while (inserted.next()) {
        String role = inserted.getString("role");
        if (role != null && BILLING_ROLES.contains(role)) {
          billingRoles.add(
              new AuditEntry(
                  inserted.getTimestamp("occurred_at").toInstant(),
                  Cause.platform(),
                  inserted.getString("org_id"),
                  AuditKinds.BILLING_ROLE_GIVEN,
                  "member:" + inserted.getString("user_id"),
                  null,
                  Map.of(
                      "role", role,
                      "event", inserted.getString("type"),
                      "event_id", inserted.getString("event_id"))));
        }
      }
    }
    return billingRoles;
  }

  /**
   * Refuses the batch when one of the organizations it creates is a user's personal one (run
   * after the accounts are opened, so that a personal account the same batch opens counts).
   *
   * @throws SQLException with SQLState {@link #ID_TAKEN}, naming the organizations
   */
  void refuseUsersIds(Connection connection, List<String> createdOrgIds) throws SQLException {
    if (createdOrgIds.isEmpty()) {
      return;
    }
    List<String> taken = new ArrayList<>();
    try (PreparedStatement statement =
            PERSONAL
                .bind("org_id", SqlArrays.array(connection, createdOrgIds, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        taken.add(rs.getString(1));
      }
    }
    if (!taken.isEmpty()) {
      throw new SQLException(
          "org.created refused: "
              + String.join(", ", taken)
              + " is the id of a user's personal organization (organizations and users share"
              + " one namespace)",
          ID_TAKEN);
    }
  }

  /** Closes the accounts of the organizations deleted, from the earliest org.deleted on. */
  void closeDeleted(Connection connection, List<String> orgIds) throws SQLException {
    BatchColumns.execute(connection, CLOSE_DELETED, orgIds, Map.of("org_id", id -> id));
  }
}
