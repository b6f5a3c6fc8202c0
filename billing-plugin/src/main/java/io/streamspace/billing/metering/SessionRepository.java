package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.metering.MeteringBatch.ActivityRow;
import io.streamspace.billing.metering.MeteringBatch.HeldRow;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.metering.MeteringBatch.SizeRow;
import io.streamspace.billing.metering.MeteringBatch.StorageRow;
import io.streamspace.plugin.api.event.UsageReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Stores what a batch says of sessions and their use: the sessions, their sizes, the accounts'
 * storage levels and the usage reports, each kind in one statement, in the caller's transaction.
 * Each statement merges the rows with what is stored (insert-if-absent, least/greatest), so
 * storing the same rows twice changes nothing.
 */
final class SessionRepository {

  private static final NamedSql UPSERT_SESSIONS =
      NamedSql.of(
          """
          INSERT INTO billing_sessions AS s
            (session_id, user_id, org_id, org_fixed, started_at, last_heartbeat, ended_at,
             end_reason, terminate_event_id, terminate_reason)
          SELECT e.session_id, e.user_id, e.org_id, e.created, e.first_seen, e.last_seen,
                 e.ended_at,
                 CASE WHEN e.ended_at IS NOT NULL THEN 'terminated' END,
                 e.ended_by, e.end_reason
          FROM unnest(:session_id::text[], :user_id::text[], :org_id::text[],
                      :created::text[]::boolean[], :first_seen::text[]::timestamptz[],
                      :last_seen::text[]::timestamptz[], :ended_at::text[]::timestamptz[],
                      :ended_by::text[], :end_reason::text[])
            AS e(session_id, user_id, org_id, created, first_seen, last_seen, ended_at, ended_by,
                 end_reason)
          -- LEAST and GREATEST skip nulls: the first terminate in event time wins (of two at one
          -- instant, the greater event id's, with the reason it told), a later heartbeat never
          -- reopens a session, and an earlier event moves the start back. The organization is
          -- fixed by the session.created; until it arrives, the first event's.
          ON CONFLICT (session_id) DO UPDATE SET
            org_id = CASE WHEN excluded.org_fixed AND NOT s.org_fixed
                          THEN excluded.org_id ELSE s.org_id END,
            org_fixed = s.org_fixed OR excluded.org_fixed,
            started_at = least(s.started_at, excluded.started_at),
            last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
            ended_at = least(s.ended_at, excluded.ended_at),
            end_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                              THEN excluded.end_reason ELSE s.end_reason END,
            terminate_event_id = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                                        OR (excluded.ended_at = s.ended_at
                                            AND excluded.terminate_event_id
                                                > coalesce(s.terminate_event_id, ''))
                                      THEN excluded.terminate_event_id
                                      ELSE s.terminate_event_id END,
            terminate_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                                      OR (excluded.ended_at = s.ended_at
                                          AND excluded.terminate_event_id
                                              > coalesce(s.terminate_event_id, ''))
                                    THEN excluded.terminate_reason ELSE s.terminate_reason END
          """);

  private static final NamedSql INSERT_SIZES =
      NamedSql.of(
          """
          INSERT INTO billing_session_sizes
            (session_id, effective_from, cpu_cores, memory_gb, event_id)
          SELECT * FROM unnest(:session_id::text[], :effective_from::text[]::timestamptz[],
                               :cpu_cores::text[]::numeric[], :memory_gb::text[]::numeric[],
                               :event_id::text[])
          ON CONFLICT DO NOTHING
          """);

  // Per session and meter a step; of two at one instant the greater event id's (V62).
  private static final NamedSql INSERT_HELD =
      NamedSql.of(
          """
          INSERT INTO billing_session_held AS h
            (session_id, meter_id, effective_from, amount, event_id)
          SELECT * FROM unnest(:session_id::text[], :meter_id::text[],
                               :effective_from::text[]::timestamptz[],
                               :amount::text[]::numeric[], :event_id::text[])
          ON CONFLICT (session_id, meter_id, effective_from) DO UPDATE SET
            amount = excluded.amount, event_id = excluded.event_id
          WHERE excluded.event_id > h.event_id
          """);

  // Per session a step; of two at one instant the greater event id's (V76).
  private static final NamedSql INSERT_ACTIVITY =
      NamedSql.of(
          """
          INSERT INTO billing_session_activity AS a
            (session_id, effective_from, state, used, event_id)
          SELECT * FROM unnest(:session_id::text[], :effective_from::text[]::timestamptz[],
                               :state::text[], :used::text[]::jsonb[], :event_id::text[])
          ON CONFLICT (session_id, effective_from) DO UPDATE SET
            state = excluded.state, used = excluded.used, event_id = excluded.event_id
          WHERE excluded.event_id > a.event_id
          """);

  // A hibernation (V77) of these sessions ends at the first active step stored after its start,
  // or earlier than the end it has: an earlier report arriving later moves the end back. Probes
  // the hibernations' key by session: nothing for a session never hibernated.
  private static final NamedSql RESUME_HIBERNATED =
      NamedSql.of(
          """
          UPDATE billing_session_hibernations h
          SET resumed_at = r.at, resumed_by_event = r.event_id
          FROM (SELECT DISTINCT ON (z.session_id, z.hibernated_at)
                       z.session_id, z.hibernated_at, a.effective_from AS at, a.event_id
                FROM billing_session_hibernations z
                JOIN billing_session_activity a ON a.session_id = z.session_id
                  AND a.state = 'active' AND a.effective_from > z.hibernated_at
                  AND (z.resumed_at IS NULL OR a.effective_from < z.resumed_at)
                WHERE z.session_id = ANY (:sessions::text[])
                ORDER BY z.session_id, z.hibernated_at, a.effective_from) r
          WHERE h.session_id = r.session_id AND h.hibernated_at = r.hibernated_at
            AND (h.resumed_at IS NULL OR h.resumed_at > r.at)""");

  // A level is its session's organization's, as the session is stored (the sessions are
  // upserted first): a heartbeat or termination without org_id, or naming another one, counts
  // where the session.created put the session. Two reports of one organization at one instant
  // (two members' sessions, or one user's two) keep the greater event id's level, whichever
  // was stored first; a level stored before V29 has no event id, and any report replaces it.
  private static final String KEEP_GREATER_EVENT_ID =
      """
      ON CONFLICT (user_id, effective_from) DO UPDATE SET
        storage_gb = excluded.storage_gb, session_id = excluded.session_id,
        event_id = excluded.event_id
      WHERE excluded.event_id > coalesce(billing_storage_levels.event_id, '')
      """;

  private static final NamedSql INSERT_STORAGE_LEVELS =
      NamedSql.of(
          """
          INSERT INTO billing_storage_levels
            (user_id, effective_from, storage_gb, session_id, event_id)
          SELECT DISTINCT ON (s.org_id, e.effective_from)
                 s.org_id, e.effective_from, e.storage_gb, e.session_id, e.event_id
          FROM unnest(:session_id::text[], :effective_from::text[]::timestamptz[],
                      :storage_gb::text[]::numeric[], :event_id::text[])
            AS e(session_id, effective_from, storage_gb, event_id)
          JOIN billing_sessions s ON s.session_id = e.session_id
          ORDER BY s.org_id, e.effective_from, e.event_id DESC
          """
              + KEEP_GREATER_EVENT_ID);

  // A session's events stored before its session.created, without org_id, put its levels under
  // its user's personal organization: once the session.created fixes another one, they move
  // there (a level the personal organization had before the session stays).
  private static final NamedSql MOVE_STORAGE_LEVELS =
      NamedSql.of(
          """
          WITH fixed AS (
            SELECT session_id, user_id, org_id, started_at FROM billing_sessions
            WHERE session_id = ANY(:session_id::text[]) AND org_fixed AND org_id <> user_id
          ),
          moved AS (
            DELETE FROM billing_storage_levels l USING fixed f
            WHERE l.user_id = f.user_id AND l.effective_from >= f.started_at
              AND l.session_id = f.session_id
            RETURNING f.org_id, l.effective_from, l.storage_gb, l.session_id, l.event_id
          )
          INSERT INTO billing_storage_levels
            (user_id, effective_from, storage_gb, session_id, event_id)
          SELECT DISTINCT ON (org_id, effective_from) * FROM moved
          ORDER BY org_id, effective_from, event_id DESC
          """
              + KEEP_GREATER_EVENT_ID);

  // Keyed by the event id: a redelivered report inserts nothing.
  private static final NamedSql INSERT_USAGE_REPORTS =
      NamedSql.of(
          """
          INSERT INTO billing_usage_reports
            (event_id, user_id, org_id, meter, quantity, session_id, occurred_at)
          SELECT * FROM unnest(:event_id::text[], :user_id::text[], :org_id::text[],
                               :meter::text[], :quantity::text[]::numeric[], :session_id::text[],
                               :occurred_at::text[]::timestamptz[])
          ON CONFLICT DO NOTHING
          """);

  /**
   * The sessions, merged by event time: the earliest start, the latest heartbeat, the first end.
   */
  void upsertSessions(Connection connection, List<SessionRow> sessions) throws SQLException {
    BatchColumns.execute(
        connection,
        UPSERT_SESSIONS,
        sessions,
        Map.of(
            "session_id", SessionRow::sessionId,
            "user_id", SessionRow::userId,
            "org_id", SessionRow::orgId,
            "created", SessionRow::created,
            "first_seen", SessionRow::firstSeen,
            "last_seen", SessionRow::lastSeen,
            "ended_at", SessionRow::endedAt,
            "ended_by", SessionRow::endedBy,
            "end_reason", SessionRow::endReason));
  }

  /** The sessions' sizes from their instants on, each stored once. */
  void insertSizes(Connection connection, List<SizeRow> sizes) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_SIZES,
        sizes,
        Map.of(
            "session_id", SizeRow::sessionId,
            "effective_from", SizeRow::effectiveFrom,
            "cpu_cores", SizeRow::cpuCores,
            "memory_gb", SizeRow::memoryGb,
            "event_id", SizeRow::eventId));
  }

  /** The held resources' steps, each stored once; of two at one instant, the greater id's. */
  void insertHeld(Connection connection, List<HeldRow> held) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_HELD,
        held,
        Map.of(
            "session_id", HeldRow::sessionId,
            "meter_id", HeldRow::meterId,
            "effective_from", HeldRow::effectiveFrom,
            "amount", HeldRow::amount,
            "event_id", HeldRow::eventId));
  }

  /** The activity steps, each stored once; of two at one instant, the greater id's. */
  void insertActivity(Connection connection, List<ActivityRow> activity) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_ACTIVITY,
        activity,
        Map.of(
            "session_id", ActivityRow::sessionId,
            "effective_from", ActivityRow::effectiveFrom,
            "state", ActivityRow::state,
            "used", ActivityRow::used,
            "event_id", ActivityRow::eventId));
  }

  /**
   * Ends the hibernations the batch's active steps (stored first) end: of each session reported
   * active, from the earliest such step after the hibernation's start.
   */
  void resumeHibernated(Connection connection, List<ActivityRow> activity) throws SQLException {
    List<String> active =
        activity.stream()
            .filter(row -> "active".equals(row.state()))
            .map(ActivityRow::sessionId)
            .distinct()
            .toList();
    if (!active.isEmpty()) {
      RESUME_HIBERNATED
          .bind("sessions", SqlArrays.array(connection, active, id -> id))
          .update(connection);
    }
  }

  /**
   * The storage levels, each its session's organization's from its instant on; of two at one
   * instant, the greater event id's.
   */
  void insertStorageLevels(Connection connection, List<StorageRow> levels) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_STORAGE_LEVELS,
        levels,
        Map.of(
            "session_id", StorageRow::sessionId,
            "effective_from", StorageRow::effectiveFrom,
            "storage_gb", StorageRow::storageGb,
            "event_id", StorageRow::eventId));
  }

  /**
   * Moves the levels the sessions' earlier events put under their user's personal organization
   * to the organization their session.created (in this batch) fixed.
   */
  void moveStorageLevels(Connection connection, List<String> createdSessions) throws SQLException {
    BatchColumns.execute(
        connection, MOVE_STORAGE_LEVELS, createdSessions, Map.of("session_id", id -> id));
  }

  /** The usage reports, each stored once under its event id. */
  void insertUsageReports(Connection connection, List<UsageReport> reports) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_USAGE_REPORTS,
        reports,
        Map.of(
            "event_id", UsageReport::id,
            "user_id", UsageReport::userId,
            "org_id", UsageReport::billedOrgId,
            "meter", UsageReport::meter,
            "quantity", UsageReport::quantity,
            "session_id", UsageReport::sessionId,
            "occurred_at", UsageReport::occurredAt));
  }
}
