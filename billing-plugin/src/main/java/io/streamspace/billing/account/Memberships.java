package io.streamspace.billing.account;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Who belongs to which organization, with what role, now: as the platform's organization events
 * say ({@code billing_memberships}, decided by event time). A personal organization has the id
 * of its one member, its Owner, and no membership rows.
 *
 * <p>Membership events count only for a team organization's account, once it is open (by its
 * org.created, or a session naming it): one that arrived before is kept and counts from then on,
 * and those naming a user's personal organization (an org.created with a user's id is refused)
 * never let anyone into it.
 *
 * <p>An organization never loses its last Owner: the events {@link OwnershipRule} refuses (one
 * that would remove or demote the last Owner, a duplicate org.created) are kept but left out
 * ({@link OrgEventRefusals}).
 */
public final class Memberships {

  /** A member of an organization and their role. */
  public record Member(String userId, MemberRole role) {}

  /**
   * An organization a user belongs to, as that user sees it.
   *
   * @param name     the organization's name (a team's, from its org.created); null if none
   * @param currency its account's; null, as are the plan's, while it has no account yet
   * @param members  how many members it has now: one for a personal organization
   */
  public record Organization(
      String orgId,
      String name,
      boolean personal,
      MemberRole role,
      String planId,
      String planName,
      String currency,
      int members) {}

  // the user's personal organization (theirs unless a team has taken its id), then the teams
  // they are a member of now, by the events, or in the role their token names (which wins, as
  // in roleOf, but never for a personal organization); each with its account's plan and its
  // members now
  private static final NamedSql ORGANIZATIONS =
      NamedSql.of(
          """
          SELECT o.org_id, a.name, o.personal, o.role, s.plan_id, s.plan_name, a.currency,
                 CASE WHEN o.personal THEN 1
                      ELSE (SELECT count(*) FROM billing_memberships c
                            WHERE c.org_id = o.org_id) END AS members
          FROM (SELECT CAST(:user_id AS text) COLLATE "C" AS org_id, 'owner' AS role,
                       true AS personal
                WHERE NOT EXISTS (SELECT 1 FROM billing_accounts t
                                  WHERE t.user_id = :user_id AND NOT t.personal)
                UNION ALL
                SELECT m.org_id, m.role, false
                FROM billing_memberships m
                JOIN billing_accounts t ON t.user_id = m.org_id AND NOT t.personal
                WHERE m.user_id = :user_id AND m.org_id <> ALL (:claimed_ids::text[])
                UNION ALL
                SELECT c.org_id COLLATE "C", c.role, false
                FROM unnest(:claimed_ids::text[], :claimed_roles::text[]) AS c(org_id, role)
                WHERE c.org_id <> :user_id
                  AND NOT EXISTS (SELECT 1 FROM billing_accounts t
                                  WHERE t.user_id = c.org_id AND t.personal)) o
          LEFT JOIN billing_accounts a ON a.user_id = o.org_id
          LEFT JOIN billing_subscriptions s ON s.user_id = o.org_id AND s.ended_at IS NULL
          ORDER BY NOT o.personal, o.org_id
          """);

  private static final NamedSql ROLE =
      NamedSql.of(
          """
          SELECT CASE WHEN NOT a.personal THEN m.role END, a.personal
          FROM (SELECT CAST(:org_id AS text) COLLATE "C" AS org_id) o
          LEFT JOIN billing_accounts a ON a.user_id = o.org_id
          LEFT JOIN billing_memberships m ON m.org_id = o.org_id AND m.user_id = :user_id
          """);

  private static final NamedSql MEMBERS =
      NamedSql.of(
          """
          SELECT m.user_id, m.role
          FROM billing_memberships m
          JOIN billing_accounts a ON a.user_id = m.org_id AND NOT a.personal
          WHERE m.org_id = :org_id
          ORDER BY m.user_id
          """);

  private final DataSource dataSource;

  public Memberships(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The user's role in the organization, or empty when they are not a member of it. The user is
   * the Owner of their personal organization (the one with their id), opened or not yet.
   */
  public Optional<MemberRole> roleOf(String orgId, String userId) throws SQLException {
    return roleOf(orgId, userId, Optional.empty());
  }

  /**
   * As {@link #roleOf(String, String)}, with the role the platform signed into the caller's token
   * for this organization, which wins over the events for that request: the platform is the
   * source of truth, and its events may not have arrived yet. A claim never counts for a personal
   * organization (one opened as personal, or the user's own id): its Owner is its user, and no
   * event or token lets anyone else into it.
   */
  public Optional<MemberRole> roleOf(String orgId, String userId, Optional<MemberRole> claimed)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            ROLE.bind("org_id", orgId).bind("user_id", userId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next(); // one row, whatever is stored
      Boolean personal = (Boolean) rs.getObject(2); // null: no account opened for it yet
      boolean own = orgId.equals(userId);
      if (claimed.isPresent() && !own && !Boolean.TRUE.equals(personal)) {
        return claimed;
      }
      String role = rs.getString(1);
      if (role != null) {
        return MemberRole.fromWire(role);
      }
      return own && !Boolean.FALSE.equals(personal)
          ? Optional.of(MemberRole.OWNER)
          : Optional.empty();
    }
  }

  /**
   * The organizations the user belongs to now, with their role in each: their personal one
   * first, then their teams by id.
   *
   * @param claimed the roles the user's token names, by organization: they win over the events
   *     for those organizations, as in {@link #roleOf(String, String, Optional)}
   */
  public List<Organization> organizationsOf(String userId, Map<String, MemberRole> claimed)
      throws SQLException {
    List<String> ids = List.copyOf(claimed.keySet());
    String[] roles = ids.stream().map(id -> claimed.get(id).wireName()).toArray(String[]::new);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            ORGANIZATIONS
                .bind("user_id", userId)
                .bind("claimed_ids", ids.toArray(String[]::new))
                .bind("claimed_roles", roles)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Organization> organizations = new ArrayList<>();
      while (rs.next()) {
        organizations.add(
            new Organization(
                rs.getString("org_id"),
                rs.getString("name"),
                rs.getBoolean("personal"),
                MemberRole.fromWire(rs.getString("role")).orElseThrow(),
                rs.getString("plan_id"),
                rs.getString("plan_name"),
                rs.getString("currency"),
                rs.getInt("members")));
      }
      return organizations;
    }
  }

  /**
   * The members of a team organization now, by user id; empty for a personal one, and for one
   * not opened yet.
   */
  public List<Member> membersOf(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return membersOf(connection, orgId);
    }
  }

  /** As {@link #membersOf(String)}, read on the caller's connection (in its transaction). */
  public static List<Member> membersOf(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = MEMBERS.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Member> members = new ArrayList<>();
      while (rs.next()) {
        members.add(
            new Member(rs.getString(1), MemberRole.fromWire(rs.getString(2)).orElseThrow()));
      }
      return members;
    }
  }
}
