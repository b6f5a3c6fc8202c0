package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What billing recorded of some sessions and some organizations' storage, read at one moment of
 * the caller's transaction: each session's time, watermark and steps (sizes and held meters, with
 * the event each came from), each organization's storage levels and watermark. The corrected
 * history is this read through the corrections' entries ({@link History}).
 */
record RecordedUsage(Map<String, Session> sessions, Map<String, Organization> organizations) {

  /** A session's time as billing keeps it, and its steps. */
  record Session(
      String sessionId,
      String orgId,
      Instant start,
      Instant end,
      Instant ratedUntil,
      List<Row> sizes,
      List<Row> held) {}

  /**
   * An organization's storage: its levels (from the one in effect at the read's start), where its
   * first level ever starts (its storage's time: null for none), how far they are rated, and its
   * closing (or null).
   */
  record Organization(
      String orgId,
      String currency,
      Instant firstLevel,
      Instant ratedUntil,
      Instant closedAt,
      List<Row> levels) {}

  /**
   * A step as stored: from {@code at}, the values it set (cpu and memory for a size; storage for
   * a level; a held meter's amount under {@code meter}), and its event (null for sizes stored
   * before V86).
   */
  record Row(Instant at, String meter, BigDecimal first, BigDecimal second, String eventId) {}

  private static final NamedSql SESSIONS =
      NamedSql.of(
          """
          SELECT session_id, org_id, started_at, ended_at, rated_until FROM billing_sessions
          WHERE session_id = ANY (:ids::text[])""");

  private static final NamedSql SIZES =
      NamedSql.of(
          """
          SELECT session_id, effective_from, NULL, cpu_cores, memory_gb, event_id
          FROM billing_session_sizes WHERE session_id = ANY (:ids::text[])
          UNION ALL
          SELECT session_id, effective_from, meter_id, amount, NULL, event_id
          FROM billing_session_held WHERE session_id = ANY (:ids::text[])
          ORDER BY 1, 2""");

  private static final NamedSql ORGANIZATIONS =
      NamedSql.of(
          """
          SELECT a.user_id, trim(a.currency), storage_rated_until, closed_at,
                 (SELECT min(l.effective_from) FROM billing_storage_levels l
                  WHERE l.user_id = a.user_id)
          FROM billing_accounts a WHERE a.user_id = ANY (:ids::text[])""");

  // every level of the organizations in effect from :from on: the one in effect just before it
  // and all after (an organization's storage is reported by every session: its history can be
  // long, what a correction touches is its tail). Just before: a level at :from itself may be
  // one the correction cancels, and the one before it then holds on; and a level an applied
  // correction cancelled holds nothing: the one in effect is the one before it
  private static final NamedSql LEVELS =
      NamedSql.of(
          """
          SELECT l.user_id, l.effective_from, l.storage_gb, l.event_id
          FROM unnest(:ids::text[]) AS o(user_id)
          JOIN billing_storage_levels l ON l.user_id = o.user_id
           AND l.effective_from >= coalesce(
                 (SELECT max(p.effective_from) FROM billing_storage_levels p
                  WHERE p.user_id = o.user_id AND p.effective_from < :from
                    AND NOT EXISTS (
                      SELECT 1 FROM billing_correction_entries e
                      JOIN billing_corrections c ON c.id = e.correction_id
                      WHERE e.kind = 'cancel' AND e.event_id = p.event_id
                        AND c.step <> 'recorded')),
                 '-infinity')
          ORDER BY 1, 2""");

  /**
   * The sessions and the organizations' storage, the levels in effect from {@code from} on (the
   * start of what the correction rates again: its levels there are needed to rate it).
   */
  static RecordedUsage read(
      Connection connection, Collection<String> sessionIds, Collection<String> orgIds, Instant from)
      throws SQLException {
    Map<String, List<Row>> sizes = new LinkedHashMap<>();
    Map<String, List<Row>> held = new LinkedHashMap<>();
    try (PreparedStatement statement =
            SIZES.bind("ids", ids(connection, sessionIds)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Row row =
            new Row(
                Sql.instant(rs.getTimestamp(2)),
                rs.getString(3),
                rs.getBigDecimal(4),
                rs.getBigDecimal(5),
                rs.getString(6));
        (row.meter() == null ? sizes : held)
            .computeIfAbsent(rs.getString(1), s -> new ArrayList<>())
            .add(row);
      }
    }
    Map<String, Session> sessions = new LinkedHashMap<>();
    try (PreparedStatement statement =
            SESSIONS.bind("ids", ids(connection, sessionIds)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        sessions.put(
            id,
            new Session(
                id,
                rs.getString(2),
                Sql.instant(rs.getTimestamp(3)),
                Sql.instant(rs.getTimestamp(4)),
                Sql.instant(rs.getTimestamp(5)),
                sizes.getOrDefault(id, List.of()),
                held.getOrDefault(id, List.of())));
      }
    }
    return new RecordedUsage(sessions, organizations(connection, orgIds, from));
  }

  private static Map<String, Organization> organizations(
      Connection connection, Collection<String> orgIds, Instant from) throws SQLException {
    Map<String, List<Row>> levels = new LinkedHashMap<>();
    try (PreparedStatement statement =
            LEVELS.bind("ids", ids(connection, orgIds)).bind("from", from).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        levels
            .computeIfAbsent(rs.getString(1), o -> new ArrayList<>())
            .add(
                new Row(
                    Sql.instant(rs.getTimestamp(2)),
                    null,
                    rs.getBigDecimal(3),
                    null,
                    rs.getString(4)));
      }
    }
    Map<String, Organization> organizations = new LinkedHashMap<>();
    try (PreparedStatement statement =
            ORGANIZATIONS.bind("ids", ids(connection, orgIds)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        organizations.put(
            id,
            new Organization(
                id,
                rs.getString(2),
                Sql.instant(rs.getTimestamp(5)),
                Sql.instant(rs.getTimestamp(3)),
                Sql.instant(rs.getTimestamp(4)),
                levels.getOrDefault(id, List.of())));
      }
    }
    return organizations;
  }

  private static java.sql.Array ids(Connection connection, Collection<String> ids)
      throws SQLException {
    return SqlArrays.array(connection, List.copyOf(ids), id -> id);
  }
}
