package io.streamspace.billing.corrections;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a correction's entries against what is stored before anything is written, and finds the
 * organization each corrects: an event cancelled or amended must be one billing stored usage from
 * (a usage report, or a session event that reported sizes) and not cancelled already; an amended
 * session must be rated up to the end of the range (a correction re-rates what was rated: newer
 * time is still the platform's to report); a backfilled event must be older than the late-event
 * grace ({@code sessionHeartbeatTimeoutMinutes}: newer events go to intake, which still bills
 * them exactly), new, and of an organization billing knows.
 */
final class CorrectionChecks {

  /** A stored event a correction can take back or amend, and what it stored. */
  record Stored(String kind, String orgId, String sessionId, Instant at, String meter) {}

  // a usage report (the platform's, not a correction's), or a session event that reported sizes
  private static final NamedSql EVENT =
      NamedSql.of(
          """
          SELECT 'report', r.org_id, r.session_id, r.occurred_at, r.meter
          FROM billing_usage_reports r
          WHERE r.event_id = :event_id AND r.correction_id IS NULL
          UNION ALL
          SELECT 'session', s.org_id, z.session_id, z.effective_from, NULL
          FROM billing_session_sizes z JOIN billing_sessions s ON s.session_id = z.session_id
          WHERE z.event_id = :event_id""");

  private static final NamedSql CANCELLED_BY =
      NamedSql.of(
          """
          SELECT e.correction_id FROM billing_correction_entries e
          WHERE e.event_id = :event_id AND e.kind = 'cancel' LIMIT 1""");

  private static final NamedSql SESSION =
      NamedSql.of(
          """
          SELECT s.org_id, CASE WHEN s.settled THEN 'infinity' ELSE s.rated_until END,
                 coalesce(a.closed_at, a.storage_rated_until)
          FROM billing_sessions s LEFT JOIN billing_accounts a ON a.user_id = s.org_id
          WHERE s.session_id = :session_id""");

  private static final NamedSql ACCOUNT =
      NamedSql.of("SELECT currency FROM billing_accounts WHERE user_id = :org_id");

  private static final NamedSql BACKFILLED =
      NamedSql.of(
          """
          SELECT 1 FROM billing_correction_entries
          WHERE event_id = :event_id AND kind = 'backfill'
          UNION ALL SELECT 1 FROM billing_org_events WHERE event_id = :event_id""");

  private CorrectionChecks() {}

  /**
   * The entries with their organizations, checked; refused naming the first field at fault.
   *
   * @param now the correction's instant: a backfilled event must be older than the grace at it
   */
  static List<Entry> resolve(
      Connection connection, List<Entry> entries, BillingConfig config, Instant now)
      throws SQLException, CorrectionRefused {
    Instant graceStart = now.minus(config.sessionHeartbeatTimeout());
    Set<String> backfilled = new HashSet<>();
    Map<Integer, Integer> events = new HashMap<>(); // a backfill item's events, counted
    List<Entry> resolved = new ArrayList<>();
    for (Entry entry : entries) {
      Entry found;
      if (entry instanceof Entry.Cancel c) {
        found = cancel(connection, c, config);
      } else if (entry instanceof Entry.AmendQuantity q) {
        found = quantity(connection, q, config);
      } else if (entry instanceof Entry.AmendSizes a) {
        found = sizes(connection, a);
      } else {
        int event = events.merge(entry.item(), 1, Integer::sum) - 1;
        found = backfill(connection, (Entry.Backfill) entry, event, graceStart, backfilled);
      }
      rated(connection, found, config);
      resolved.add(found);
    }
    return resolved;
  }

  private static Entry cancel(Connection connection, Entry.Cancel c, BillingConfig config)
      throws SQLException, CorrectionRefused {
    String field = c.field() + ".cancel.event_id";
    Stored stored = stored(connection, c.eventId(), field);
    if (stored.meter() != null) {
      counter(stored, field, config);
    }
    Optional<Long> by = cancelledBy(connection, c.eventId());
    if (by.isPresent()) {
      throw new CorrectionRefused(
          field, "event " + c.eventId() + " is already cancelled by correction " + by.get());
    }
    return new Entry.Cancel(c.item(), stored.orgId(), c.eventId());
  }

  private static Entry quantity(Connection connection, Entry.AmendQuantity q, BillingConfig config)
      throws SQLException, CorrectionRefused {
    String field = q.field() + ".amend.event_id";
    Stored stored = stored(connection, q.eventId(), field);
    if (stored.meter() == null) {
      throw new CorrectionRefused(
          field,
          "event " + q.eventId() + " is a session's: amend its sizes with session_id, from, to");
    }
    counter(stored, field, config);
    if (cancelledBy(connection, q.eventId()).isPresent()) {
      throw new CorrectionRefused(field, "event " + q.eventId() + " is cancelled");
    }
    return new Entry.AmendQuantity(q.item(), stored.orgId(), q.eventId(), q.quantity());
  }

  private static Entry sizes(Connection connection, Entry.AmendSizes a)
      throws SQLException, CorrectionRefused {
    String prefix = a.field() + ".amend.";
    try (PreparedStatement statement =
            SESSION.bind("session_id", a.sessionId()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new CorrectionRefused(
            prefix + "session_id", "no session " + a.sessionId() + " is known to billing");
      }
      // a settled session is rated to its end: there is nothing after it to wait for
      Instant rated = Sql.instant(rs.getTimestamp(2));
      if (rated == null || a.to().isAfter(rated)) {
        throw notRated(prefix + "to", "session " + a.sessionId(), rated);
      }
      Instant storageRated = Sql.instant(rs.getTimestamp(3));
      if (a.storageGb() != null && (storageRated == null || a.to().isAfter(storageRated))) {
        throw notRated(prefix + "to", "the storage of " + rs.getString(1), storageRated);
      }
      return new Entry.AmendSizes(
          a.item(),
          rs.getString(1),
          a.sessionId(),
          a.from(),
          a.to(),
          a.cpuCores(),
          a.memoryGb(),
          a.storageGb(),
          a.resources());
    }
  }

  private static Entry backfill(
      Connection connection, Entry.Backfill b, int index, Instant graceStart, Set<String> inRequest)
      throws SQLException, CorrectionRefused {
    BackfilledEvent event = b.event();
    String field = b.field() + ".backfill.events[" + index + "]";
    if (!event.occurredAt().isBefore(graceStart)) {
      throw new CorrectionRefused(
          field + ".occurred_at",
          "event "
              + event.id()
              + " is within the late-event grace (sessionHeartbeatTimeoutMinutes, until "
              + graceStart
              + "): send it to intake, which still bills it exactly");
    }
    if (!inRequest.add(event.id()) || known(connection, event.id())) {
      throw new CorrectionRefused(
          field + ".id", "event " + event.id() + " is accepted already (or twice in this request)");
    }
    String orgId = event.billedOrgId();
    if (event.sessionId() != null && event.session() != null) {
      try (PreparedStatement statement =
              SESSION.bind("session_id", event.sessionId()).prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        orgId = rs.next() ? rs.getString(1) : orgId; // a session counts where it was created
      }
    }
    return new Entry.Backfill(b.item(), orgId, event);
  }

  /** An entry's organization must have an account billed in a currency the config rates. */
  private static void rated(Connection connection, Entry entry, BillingConfig config)
      throws SQLException, CorrectionRefused {
    try (PreparedStatement statement = ACCOUNT.bind("org_id", entry.orgId()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new CorrectionRefused(
            entry.field(), "no billing account for organization " + entry.orgId());
      }
      if (config.ratesIn(Currency.getInstance(rs.getString(1).trim())).isEmpty()) {
        throw new CorrectionRefused(
            entry.field(),
            "organization "
                + entry.orgId()
                + " is billed in a currency the config has no rates in");
      }
    }
  }

  static Stored stored(Connection connection, String eventId, String field)
      throws SQLException, CorrectionRefused {
    try (PreparedStatement statement = EVENT.bind("event_id", eventId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new CorrectionRefused(
            field,
            "no accepted event "
                + eventId
                + " that billing stored usage from: a usage report, or a session event that"
                + " reported sizes");
      }
      return new Stored(
          rs.getString(1),
          rs.getString(2),
          rs.getString(3),
          Sql.instant(rs.getTimestamp(4)),
          rs.getString(5));
    }
  }

  /** A report of a counter summed per period: a {@code max} counter is not corrected by report. */
  private static void counter(Stored stored, String field, BillingConfig config)
      throws CorrectionRefused {
    if (Arrays.asList(config.meters().maxCounterIds()).contains(stored.meter())) {
      throw new CorrectionRefused(
          field,
          "meter "
              + stored.meter()
              + " counts the largest report of a period: its reports are not corrected one by"
              + " one");
    }
  }

  private static Optional<Long> cancelledBy(Connection connection, String eventId)
      throws SQLException {
    try (PreparedStatement statement = CANCELLED_BY.bind("event_id", eventId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  private static boolean known(Connection connection, String eventId) throws SQLException {
    try (PreparedStatement events = EVENT.bind("event_id", eventId).prepare(connection);
        ResultSet rs = events.executeQuery()) {
      if (rs.next()) {
        return true;
      }
    }
    try (PreparedStatement backfills = BACKFILLED.bind("event_id", eventId).prepare(connection);
        ResultSet rs = backfills.executeQuery()) {
      return rs.next();
    }
  }

  private static CorrectionRefused notRated(String field, String what, Instant rated) {
    return new CorrectionRefused(
        field,
        what
            + (rated == null ? " is not rated yet" : " is rated up to " + rated)
            + ": a correction corrects rated time (calculate-usage rates it hourly; correct the"
            + " rest after its next run)");
  }
}
