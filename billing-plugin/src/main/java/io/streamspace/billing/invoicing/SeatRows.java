package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
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

  // per invoice (ord, its place in the chunk), one row for a personal organization (no events
  // read); a team's events up to the invoice's end that apply, and its deletions (user_id null),
  // in no particular order: SeatCharges orders them
  private static final NamedSql EVENTS =
      NamedSql.of(
          """
          SELECT w.ord, a.personal, e.user_id, e.role, e.occurred_at, e.event_id
          FROM unnest(:org_id::text[], :until::text[]::timestamptz[])
               WITH ORDINALITY AS w(org_id, until, ord)
          JOIN billing_accounts a ON a.user_id = w.org_id
          LEFT JOIN billing_org_events e
            ON NOT a.personal AND e.org_id = a.user_id AND e.occurred_at < w.until
           AND e.refused IS NULL -- refused to keep the last Owner: it applies to no seat""");

  private SeatRows() {}

  /**
   * The seats of each invoice's organization up to the invoice's end, in order, read by one
   * statement; none for one that has no account.
   */
  static List<List<Seat>> of(Connection connection, List<Invoice> invoices) throws SQLException {
    int n = invoices.size();
    boolean[] personal = new boolean[n];
    List<List<MembershipEvent>> events = new ArrayList<>(n);
    Instant[] closedAt = new Instant[n];
    invoices.forEach(i -> events.add(new ArrayList<>()));
    try (PreparedStatement statement =
            EVENTS
                .bind("org_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                .bind("until", SqlArrays.array(connection, invoices, Invoice::periodEnd))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        int i = rs.getInt("ord") - 1;
        if (rs.getBoolean("personal")) {
          personal[i] = true;
          continue;
        }
        if (rs.getString("event_id") == null) {
          continue; // a team without events yet
        }
        Instant at = rs.getTimestamp("occurred_at").toInstant();
        String member = rs.getString("user_id");
        if (member == null) { // org.deleted: the earliest closes it
          closedAt[i] = closedAt[i] == null || at.isBefore(closedAt[i]) ? at : closedAt[i];
        } else {
          events
              .get(i)
              .add(new MembershipEvent(member, rs.getString("role"), at, rs.getString("event_id")));
        }
      }
    }
    List<List<Seat>> seats = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      seats.add(
          personal[i]
              ? List.of(new Seat(invoices.get(i).orgId(), Instant.EPOCH, null))
              : SeatCharges.seats(events.get(i), closedAt[i]));
    }
    return seats;
  }
}
