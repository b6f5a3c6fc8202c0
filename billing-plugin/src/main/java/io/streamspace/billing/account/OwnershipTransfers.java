package io.streamspace.billing.account;

import io.streamspace.billing.account.Memberships.Member;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.MembershipRefused;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Ownership transfer in one call: a member of a team organization becomes its Owner and the
 * Owner who hands it over becomes an Admin, at one instant (the clock's).
 *
 * <p>The change is recorded as the platform's own would be: two {@code org.member_role_changed}
 * events in {@code billing_org_events}, with ids of the plugin's ({@code
 * billing:ownership-transfer:<org>:<instant>:<user>}), so the memberships read them by event
 * time beside the platform's events; at one instant {@link OwnershipRule} applies the demotion
 * because the promotion leaves an Owner. It is published as {@link
 * BillingEvents#OWNERSHIP_TRANSFERRED} once committed, for the platform (the source of truth
 * for memberships) to mirror.
 *
 * <p>Everything is read and written in one transaction under the organization's lock ({@link
 * OrgEventRefusals#lock}), so two transfers of one organization happen one after the other:
 * the second sees the first's roles (its caller may no longer be the Owner). A platform admin
 * who is not an Owner of the organization hands over for all its Owners: each becomes an Admin.
 */
public final class OwnershipTransfers {

  /** Why a transfer was refused; nothing was changed. */
  public static final class Refused extends Exception {

    /** What was wrong. */
    public enum Reason {
      /** The organization has no billing account (its org.created has not arrived). */
      NO_ACCOUNT,
      /** A personal organization has one member, its Owner: nobody to hand it to. */
      PERSONAL,
      /** The caller is not (or no longer) an Owner of the organization. */
      OWNER_REQUIRED,
      /** The new Owner is not a member of the organization. */
      NOT_A_MEMBER,
      /** The new Owner is an Owner already. */
      ALREADY_OWNER,
      /**
       * A role event of one of the members is at or after this instant: by event time it would
       * decide their roles, not the transfer.
       */
      CHANGED_LATER
    }

    private final Reason reason;

    Refused(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private static final NamedSql ACCOUNT =
      NamedSql.of("SELECT personal FROM billing_accounts WHERE user_id = :org_id");

  private static final NamedSql LATEST =
      NamedSql.of(
          """
          SELECT max(occurred_at) FROM billing_org_events
          WHERE org_id = :org_id AND user_id = ANY (:user_id::text[]) AND refused IS NULL
          """);

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_org_events (event_id, org_id, type, user_id, role, occurred_at)
          SELECT CAST(:prefix AS text) || u.user_id, CAST(:org_id AS text),
                 'org.member_role_changed', u.user_id, u.role, CAST(:at AS timestamptz)
          FROM unnest(:user_id::text[], :role::text[]) AS u(user_id, role)
          ON CONFLICT DO NOTHING
          """);

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Clock clock;

  public OwnershipTransfers(DataSource dataSource, BillingEvents events, Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Makes {@code newOwner} the Owner of {@code orgId} and {@code callerId} an Admin (a platform
   * admin who is no Owner there: every Owner), then publishes the transfer.
   *
   * @param platformAdmin whether the caller is a platform admin, who may transfer any
   *     organization's ownership
   * @throws Refused with nothing changed
   */
  public OwnershipTransfer transfer(
      String orgId, String newOwner, String callerId, boolean platformAdmin, Cause cause)
      throws SQLException, Refused {
    // the database keeps microseconds: the ids and the events' instant are the same one
    Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<MembershipRefused> refused = new ArrayList<>();
    OwnershipTransfer transfer =
        Transactions.inTransactionRetryingConflicts(
            dataSource,
            3,
            connection -> {
              OrgEventRefusals.lock(connection, List.of(orgId));
              requireTeam(connection, orgId);
              List<Member> members = Memberships.membersOf(connection, orgId);
              List<String> handingOver = handingOver(members, orgId, callerId, platformAdmin);
              requireNewOwner(members, orgId, newOwner);
              List<String> changed = new ArrayList<>(handingOver);
              changed.add(newOwner);
              requireNothingLater(connection, orgId, changed, at);
              record(connection, orgId, newOwner, handingOver, at);
              refused.clear(); // an attempt rolled back for a conflict left nothing
              refused.addAll(OrgEventRefusals.decide(connection, List.of(orgId)));
              OwnershipTransfer made =
                  new OwnershipTransfer(orgId, newOwner, handingOver, callerId, at);
              // the Owner's role is the one that pays and changes the plan: billing rights
              AuditTrail.record(
                  connection,
                  new AuditEntry(
                      at,
                      cause,
                      orgId,
                      AuditKinds.OWNERSHIP_TRANSFERRED,
                      "organization:" + orgId,
                      Map.of("owners", handingOver),
                      made));
              return made;
            });
    events.publish(BillingEvents.OWNERSHIP_TRANSFERRED, transfer);
    refused.forEach(events::membershipRefusal);
    return transfer;
  }

  private static void requireTeam(Connection connection, String orgId)
      throws SQLException, Refused {
    try (PreparedStatement statement = ACCOUNT.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new Refused(Refused.Reason.NO_ACCOUNT, "no billing account for " + orgId);
      }
      if (rs.getBoolean(1)) {
        throw new Refused(
            Refused.Reason.PERSONAL,
            orgId + " is a personal organization: its one member is its owner");
      }
    }
  }

  /** The Owners who become Admins: the caller, or for a platform admin every Owner. */
  private static List<String> handingOver(
      List<Member> members, String orgId, String callerId, boolean platformAdmin) throws Refused {
    if (members.contains(new Member(callerId, MemberRole.OWNER))) {
      return List.of(callerId);
    }
    if (!platformAdmin) {
      throw new Refused(Refused.Reason.OWNER_REQUIRED, callerId + " is not an owner of " + orgId);
    }
    return members.stream().filter(m -> m.role() == MemberRole.OWNER).map(Member::userId).toList();
  }

  private static void requireNewOwner(List<Member> members, String orgId, String newOwner)
      throws Refused {
    MemberRole role =
        members.stream()
            .filter(m -> m.userId().equals(newOwner))
            .map(Member::role)
            .findFirst()
            .orElseThrow(
                () ->
                    new Refused(
                        Refused.Reason.NOT_A_MEMBER, newOwner + " is not a member of " + orgId));
    if (role == MemberRole.OWNER) {
      throw new Refused(
          Refused.Reason.ALREADY_OWNER, newOwner + " is already an owner of " + orgId);
    }
  }

  private static void requireNothingLater(
      Connection connection, String orgId, List<String> users, Instant at)
      throws SQLException, Refused {
    try (PreparedStatement statement =
            LATEST
                .bind("org_id", orgId)
                .bind("user_id", SqlArrays.array(connection, users, u -> u))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      Timestamp latest = rs.getTimestamp(1);
      if (latest != null && !latest.toInstant().isBefore(at)) {
        throw new Refused(
            Refused.Reason.CHANGED_LATER,
            "a membership event of "
                + orgId
                + " at "
                + latest.toInstant()
                + " is not before this transfer: try again");
      }
    }
  }

  private static void record(
      Connection connection, String orgId, String newOwner, List<String> handingOver, Instant at)
      throws SQLException {
    List<String> users = new ArrayList<>(handingOver);
    List<String> roles = new ArrayList<>(handingOver.stream().map(u -> "admin").toList());
    users.add(newOwner);
    roles.add(MemberRole.OWNER.wireName());
    INSERT
        .bind("prefix", "billing:ownership-transfer:" + orgId + ":" + at + ":")
        .bind("org_id", orgId)
        .bind("user_id", SqlArrays.array(connection, users, u -> u))
        .bind("role", SqlArrays.array(connection, roles, r -> r))
        .bind("at", at)
        .update(connection);
  }
}
