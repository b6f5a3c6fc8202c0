package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a correction's entries touch, found before it writes anything: the sessions (an amended
 * one, a cancelled event's, a backfilled event's), the organizations, and the earliest instant
 * each organization's entries name (nothing of its usage before it changes: a cancelled step
 * holds from its event, an amend from its start, a backfilled event from its instant).
 *
 * @param sessions by id, ordered as rows are locked
 * @param earliest by organization, ordered as rows are locked
 */
record Reach(List<String> sessions, Map<String, Instant> earliest) {

  // sessions first, then accounts, each in key order: as calculate-usage and the metering writer
  // take them, so the three wait for each other instead of deadlocking
  private static final NamedSql LOCK_SESSIONS =
      NamedSql.of(
          """
          SELECT 1 FROM billing_sessions WHERE session_id = ANY (:ids::text[])
          ORDER BY session_id FOR NO KEY UPDATE""");

  private static final NamedSql LOCK_ACCOUNTS =
      NamedSql.of(
          """
          SELECT 1 FROM billing_accounts WHERE user_id = ANY (:ids::text[])
          ORDER BY user_id FOR NO KEY UPDATE""");

  static Reach of(Connection connection, List<Entry> entries)
      throws SQLException, CorrectionRefused {
    TreeSet<String> sessions = new TreeSet<>();
    Map<String, Instant> earliest = new TreeMap<>();
    for (Entry entry : entries) {
      Instant at;
      if (entry instanceof Entry.AmendSizes a) {
        sessions.add(a.sessionId());
        at = a.from();
      } else if (entry instanceof Entry.Backfill b) {
        if (b.event().session() != null) {
          sessions.add(b.event().sessionId());
        }
        at = b.event().occurredAt();
      } else {
        String eventId =
            entry instanceof Entry.Cancel c ? c.eventId() : ((Entry.AmendQuantity) entry).eventId();
        CorrectionChecks.Stored stored =
            CorrectionChecks.stored(connection, eventId, entry.field());
        if (stored.meter() == null) {
          sessions.add(stored.sessionId());
        }
        at = stored.at();
      }
      earliest.merge(entry.orgId(), at, (x, y) -> x.isBefore(y) ? x : y);
    }
    return new Reach(new ArrayList<>(sessions), earliest);
  }

  List<String> orgs() {
    return List.copyOf(earliest.keySet());
  }

  /** The earliest instant any entry names. */
  Instant from() {
    return earliest.values().stream().min(Instant::compareTo).orElseThrow();
  }

  /** Locks the sessions, then the organizations' accounts, for the transaction. */
  void lock(Connection connection) throws SQLException {
    try (var statement =
        LOCK_SESSIONS
            .bind("ids", SqlArrays.array(connection, sessions, s -> s))
            .prepare(connection)) {
      statement.executeQuery().close();
    }
    try (var statement =
        LOCK_ACCOUNTS
            .bind("ids", SqlArrays.array(connection, orgs(), s -> s))
            .prepare(connection)) {
      statement.executeQuery().close();
    }
  }
}
