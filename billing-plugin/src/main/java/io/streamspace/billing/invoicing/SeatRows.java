package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.SeatCharges.MembershipEvent;
import io.streamspace.billing.invoicing.SeatCharges.Seat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An organization's seats as its stored membership events make them ({@link SeatCharges#seats}):
 * read by event time from {@code billing_org_events}, so the order they arrived in never
 * matters. A personal organization has one seat, its user's, for as long as it exists.
 */
final class SeatRows {

  // one row for a personal organization (no events read); a team's events up to :until that
  // apply, and its deletions (user_id null), in no particular order: SeatCharges orders them
  private static final NamedSql EVENTS =
      NamedSql.of(
          """
          SELECT a.personal, e.user_id, e.role, e.occurred_at, e.event_id
          FROM billing_accounts a
          LEFT JOIN billing_org_events e
            ON NOT a.personal AND e.org_id = a.user_id AND e.occurred_at < :until
           AND e.refused IS NULL -- refused to keep the last Owner: it applies to no seat
          WHERE a.user_id = :org_id""");

  private SeatRows() {}

  /** The seats of the organization's account up to {@code until}; none when it has no account. */
  static List<Seat> of(Connection connection, String orgId, Instant until) throws SQLException {
    List<MembershipEvent> events = new ArrayList<>();
    Instant closedAt = null;
    try (PreparedStatement statement =
            EVENTS.bind("org_id", orgId).bind("until", until).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (rs.getBoolean("personal")) {
          return List.of(new Seat(orgId, Instant.EPOCH, null));
        }
        if (rs.getString("event_id") == null) {
          continue; // a team without events yet
        }
        Instant at = rs.getTimestamp("occurred_at").toInstant();
        String member = rs.getString("user_id");
        if (member == null) { // org.deleted: the earliest closes it
          closedAt = closedAt == null || at.isBefore(closedAt) ? at : closedAt;
        } else {
          events.add(
              new MembershipEvent(member, rs.getString("role"), at, rs.getString("event_id")));
        }
      }
    }
    return SeatCharges.seats(events, closedAt);
  }
}
