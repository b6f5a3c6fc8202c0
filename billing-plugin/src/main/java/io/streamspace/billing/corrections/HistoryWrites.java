package io.streamspace.billing.corrections;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.metering.MeteringBatch;
import io.streamspace.billing.metering.MeteringEvent;
import io.streamspace.billing.metering.MeteringEvent.SessionSignalKind;
import io.streamspace.billing.metering.MeteringStore;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a correction adds to the recorded history, beside what it corrects: its backfilled events,
 * stored as intake's are (merged, by event time); and a corrected usage report, as a report of
 * its own adding the difference to the corrected one's counter. In the caller's transaction.
 */
final class HistoryWrites {

  // A backfilled session older than the grace, its end still open, or ended only because its
  // heartbeats stopped (before the ones now backfilled), ends at its last heartbeat, as
  // calculate-usage closes a session whose heartbeats stop: the backfill is the news that stopped
  private static final NamedSql CLOSE =
      NamedSql.of(
          """
          UPDATE billing_sessions SET ended_at = last_heartbeat, end_reason = 'heartbeat_timeout'
          WHERE session_id = ANY (:sessions::text[]) AND last_heartbeat < :cap
            AND (ended_at IS NULL
                 OR end_reason = 'heartbeat_timeout' AND ended_at < last_heartbeat)""");

  // One entry's difference, against the report as corrected so far (its quantity and the
  // corrections of it): nothing when there is none
  private static final NamedSql COUNTER =
      NamedSql.of(
          """
          INSERT INTO billing_usage_reports (event_id, user_id, org_id, meter, quantity,
              session_id, occurred_at, correction_id, corrects_event_id)
          SELECT 'correction:' || :correction || ':' || :entry_no, r.user_id, r.org_id, r.meter,
                 d.quantity, r.session_id, r.occurred_at, :correction, r.event_id
          FROM billing_usage_reports r
          CROSS JOIN LATERAL (
            SELECT :quantity::numeric - r.quantity - coalesce(
                (SELECT sum(c.quantity) FROM billing_usage_reports c
                 WHERE c.corrects_event_id = r.event_id), 0) AS quantity) d
          WHERE r.event_id = :event_id AND d.quantity <> 0""");

  private HistoryWrites() {}

  /**
   * Stores the backfilled events, and ends those of their sessions whose heartbeats stopped
   * before {@code cap} (the grace's start); answers the sessions they are of.
   */
  static List<String> backfill(
      Connection connection,
      MeteringStore store,
      List<Entry> entries,
      BillingConfig config,
      Instant cap)
      throws SQLException {
    List<MeteringEvent> events = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry instanceof Entry.Backfill b) {
        BackfilledEvent e = b.event();
        if (e.session() != null) {
          events.add(new MeteringEvent.SessionSignal(kind(e.type()), e.session()));
          sessions.add(e.session().sessionId());
        } else {
          events.add(new MeteringEvent.UsageReported(e.usage()));
        }
      }
    }
    if (events.isEmpty()) {
      return sessions;
    }
    store.storeBackfilled(
        connection,
        MeteringBatch.of(events, config.currency().getCurrencyCode(), config.defaultPlan()));
    CLOSE
        .bind("sessions", SqlArrays.array(connection, sessions, s -> s))
        .bind("cap", cap)
        .update(connection);
    return sessions.stream().distinct().toList();
  }

  /** Each cancelled or amended usage report's difference, as a report of the correction's. */
  static void counters(Connection connection, long correctionId, List<Entry> entries)
      throws SQLException {
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      String eventId;
      BigDecimal quantity;
      if (entry instanceof Entry.AmendQuantity q) {
        eventId = q.eventId();
        quantity = q.quantity();
      } else if (entry instanceof Entry.Cancel c) {
        eventId = c.eventId(); // a session event's id matches no report: nothing inserted
        quantity = BigDecimal.ZERO;
      } else {
        continue;
      }
      COUNTER
          .bind("correction", correctionId)
          .bind("entry_no", i)
          .bind("quantity", quantity)
          .bind("event_id", eventId)
          .update(connection);
    }
  }

  private static SessionSignalKind kind(String type) {
    return switch (type) {
      case BackfilledEvent.CREATED -> SessionSignalKind.CREATED;
      case BackfilledEvent.TERMINATED -> SessionSignalKind.TERMINATED;
      default -> SessionSignalKind.HEARTBEAT;
    };
  }
}
