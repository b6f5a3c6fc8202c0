package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
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
             end_reason)
          SELECT e.session_id, e.user_id, e.org_id, e.created, e.first_seen, e.last_seen,
                 e.ended_at,
                 CASE WHEN e.ended_at IS NOT NULL THEN 'terminated' END
          FROM unnest(:session_id::text[], :user_id::text[], :org_id::text[],
                      :created::text[]::boolean[], :first_seen::text[]::timestamptz[],
                      :last_seen::text[]::timestamptz[], :ended_at::text[]::timestamptz[])
            AS e(session_id, user_id, org_id, created, first_seen, last_seen, ended_at)
          -- LEAST and GREATEST skip nulls: the first terminate in event time wins, a later
          -- heartbeat never reopens a session, and an earlier event moves the start back. The
          -- organization is fixed by the session.created; until it arrives, the first event's.
          ON CONFLICT (session_id) DO UPDATE SET
            org_id = CASE WHEN excluded.org_fixed AND NOT s.org_fixed
                          THEN excluded.org_id ELSE s.org_id END,
            org_fixed = s.org_fixed OR excluded.org_fixed,
            started_at = least(s.started_at, excluded.started_at),
            last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
            ended_at = least(s.ended_at, excluded.ended_at),
            end_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                              THEN excluded.end_reason ELSE s.end_reason END
          """);

  private static final NamedSql INSERT_SIZES =
      NamedSql.of(
          """
          INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
          SELECT * FROM unnest(:session_id::text[], :effective_from::text[]::timestamptz[],
                               :cpu_cores::text[]::numeric[], :memory_gb::text[]::numeric[])
          ON CONFLICT DO NOTHING
          """);

  private static final NamedSql INSERT_STORAGE_LEVELS =
      NamedSql.of(
          """
          INSERT INTO billing_storage_levels (user_id, effective_from, storage_gb)
          SELECT * FROM unnest(:user_id::text[], :effective_from::text[]::timestamptz[],
                               :storage_gb::text[]::numeric[])
          ON CONFLICT DO NOTHING
          """);

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
            "ended_at", SessionRow::endedAt));
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
            "memory_gb", SizeRow::memoryGb));
  }

  /** The accounts' storage levels from their instants on, each stored once. */
  void insertStorageLevels(Connection connection, List<StorageRow> levels) throws SQLException {
    BatchColumns.execute(
        connection,
        INSERT_STORAGE_LEVELS,
        levels,
        Map.of(
            "user_id", StorageRow::userId,
            "effective_from", StorageRow::effectiveFrom,
            "storage_gb", StorageRow::storageGb));
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
            "org_id", r -> r.orgId() == null ? r.userId() : r.orgId(),
            "meter", UsageReport::meter,
            "quantity", UsageReport::quantity,
            "session_id", UsageReport::sessionId,
            "occurred_at", UsageReport::occurredAt));
  }
}
