package io.streamspace.billing.account;

import io.streamspace.billing.account.OwnershipRule.Event;
import io.streamspace.billing.account.OwnershipRule.Refusal;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.MembershipRefused;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks which of organizations' events are refused ({@code billing_org_events.refused}), as
 * {@link OwnershipRule} decides from all of each organization's events, in the caller's
 * transaction, after it stored new ones. The memberships ({@code billing_memberships}) leave the
 * refused events out, so an organization never loses its last Owner.
 *
 * <p>Accepted but refused to apply, as a late {@code user.created} whose terms an account does
 * not take: the event is kept, marked with the reason, and a warning is logged; once, when the
 * mark appears, the caller publishes it to the platform ({@code billing.org.membership_refused},
 * from what {@link #decide} returns). A later event can lift a mark (an Owner added earlier by
 * event time arrives late): logged and published as {@code billing.org.membership_applied}.
 *
 * <p>Each organization is decided under a transaction-level advisory lock of its own (taken in
 * one order), so two transactions storing events of one organization decide one after the other,
 * the second reading the first's events: the last to commit has read them all.
 */
public final class OrgEventRefusals {

  private static final Logger log = LoggerFactory.getLogger(OrgEventRefusals.class);

  /**
   * The first key of the organizations' advisory locks ("bown" in ASCII); the second is the
   * hash of the organization's id. Two-key advisory locks never meet one-key ones ({@link
   * AccountTermsLock}).
   */
  private static final int LOCK_CLASS = 0x626f_776e;

  // In the order of the keys (two ids may share one: they then wait for each other, harmless),
  // so that two transactions never take two of them in opposite orders.
  private static final NamedSql LOCK =
      NamedSql.of(
          """
          SELECT pg_advisory_xact_lock(:lock_class, k.key)
          FROM (SELECT DISTINCT hashtext(id) AS key FROM unnest(:org_id::text[]) AS o(id)
                ORDER BY 1) k
          """);

  private static final NamedSql EVENTS =
      NamedSql.of(
          """
          SELECT org_id, event_id, type, user_id, role, occurred_at, refused
          FROM billing_org_events
          WHERE org_id = ANY (:org_id::text[]) AND user_id IS NOT NULL
          """);

  private static final NamedSql MARK =
      NamedSql.of(
          """
          UPDATE billing_org_events e SET refused = m.refused
          FROM unnest(:event_id::text[], :refused::text[]) AS m(event_id, refused)
          WHERE e.event_id = m.event_id
          """);

  private record Stored(String orgId, Event event, String refused) {}

  private record Mark(String orgId, Event event, String was, String now) {}

  private OrgEventRefusals() {}

  /**
   * Takes the organizations' locks, held until the transaction ends: a caller
   * that reads memberships to decide what to store takes them first, then {@link #decide}.
   */
  public static void lock(Connection connection, List<String> orgIds) throws SQLException {
    if (orgIds.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
            LOCK.bind("lock_class", LOCK_CLASS)
                .bind("org_id", SqlArrays.array(connection, distinct(orgIds), id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        // each row is one lock taken
      }
    }
  }

  /**
   * Decides the organizations' events again and writes the marks that changed (each
   * organization locked first, see {@link #lock}).
   *
   * @return the events refused now that were not before, and those refused before that apply
   *     now, for the caller to publish once its transaction commits ({@code
   *     billing.org.membership_refused}, {@code billing.org.membership_applied})
   */
  public static List<MembershipRefused> decide(Connection connection, List<String> orgIds)
      throws SQLException {
    if (orgIds.isEmpty()) {
      return List.of();
    }
    lock(connection, orgIds);
    Map<String, List<Stored>> byOrg = new HashMap<>();
    try (PreparedStatement statement =
            EVENTS
                .bind("org_id", SqlArrays.array(connection, distinct(orgIds), id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Event event =
            new Event(
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                MemberRole.fromWire(rs.getString(5)).orElse(null),
                rs.getTimestamp(6).toInstant());
        byOrg
            .computeIfAbsent(rs.getString(1), id -> new ArrayList<>())
            .add(new Stored(rs.getString(1), event, rs.getString(7)));
      }
    }
    List<Mark> changed = new ArrayList<>();
    for (List<Stored> stored : byOrg.values()) {
      Map<String, Refusal> refusals =
          OwnershipRule.refusals(stored.stream().map(Stored::event).toList());
      for (Stored s : stored) {
        Refusal refusal = refusals.get(s.event().id());
        String now = refusal == null ? null : refusal.wireName();
        if (!Objects.equals(now, s.refused())) {
          changed.add(new Mark(s.orgId(), s.event(), s.refused(), now));
        }
      }
    }
    if (changed.isEmpty()) {
      return List.of();
    }
    MARK.bind("event_id", SqlArrays.array(connection, changed, m -> m.event().id()))
        .bind("refused", SqlArrays.array(connection, changed, Mark::now))
        .update(connection);
    changed.forEach(OrgEventRefusals::logMark);
    return changed.stream()
        .filter(m -> m.now() == null || m.was() == null) // not one reason for another
        .map(OrgEventRefusals::refusal)
        .toList();
  }

  private static MembershipRefused refusal(Mark mark) {
    Event e = mark.event();
    return new MembershipRefused(
        mark.orgId(),
        e.id(),
        e.type(),
        e.userId(),
        e.role() == null ? null : e.role().wireName(),
        e.at(),
        mark.now() != null ? mark.now() : mark.was(),
        mark.now() != null);
  }

  private static void logMark(Mark mark) {
    Event e = mark.event();
    if (mark.now() == null) {
      log.info(
          "{} {} of {} for {} at {} applies now (was refused: {})",
          e.type(),
          e.id(),
          mark.orgId(),
          e.userId(),
          e.at(),
          mark.was());
    } else if (Refusal.DUPLICATE_CREATION.wireName().equals(mark.now())) {
      log.warn(
          "org.created {} of {} at {} refused: the organization was created earlier;"
              + " its owner {} gets no role from it",
          e.id(),
          mark.orgId(),
          e.at(),
          e.userId());
    } else {
      log.warn(
          "{} {} of {} at {} refused: {} is the organization's last owner and stays owner"
              + " (make another member owner first)",
          e.type(),
          e.id(),
          mark.orgId(),
          e.at(),
          e.userId());
    }
  }

  private static List<String> distinct(List<String> ids) {
    return new ArrayList<>(new TreeSet<>(ids));
  }
}
