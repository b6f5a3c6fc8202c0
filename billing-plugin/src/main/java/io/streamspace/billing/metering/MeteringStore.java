package io.streamspace.billing.metering;

import io.streamspace.billing.metering.MeteringBatch.AccountRow;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.metering.MeteringBatch.SizeRow;
import io.streamspace.billing.metering.MeteringBatch.StorageRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Stores a {@link MeteringBatch} in one transaction with one statement per kind of row. Each
 * statement applies the batch's merges against what is stored (insert-if-absent, least/greatest),
 * so storing the same batch twice changes nothing.
 */
public final class MeteringStore {

  private static final String UPSERT_ACCOUNTS = """
      INSERT INTO billing_accounts AS a (user_id, email, currency, plan_id, created_at)
      SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[])
      ON CONFLICT (user_id) DO UPDATE SET email = excluded.email
        WHERE a.email IS NULL AND excluded.email IS NOT NULL
      """;

  // LEAST and GREATEST skip nulls: the first terminate in event time wins, a later heartbeat
  // never reopens a session, and an earlier event moves the start back.
  private static final String UPSERT_SESSIONS = """
      INSERT INTO billing_sessions AS s
        (session_id, user_id, started_at, last_heartbeat, ended_at, end_reason)
      SELECT e.session_id, e.user_id, e.first_seen, e.last_seen, e.ended_at,
             CASE WHEN e.ended_at IS NOT NULL THEN 'terminated' END
      FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[]::timestamptz[],
                  ?::text[]::timestamptz[]) AS e(session_id, user_id, first_seen, last_seen, ended_at)
      ON CONFLICT (session_id) DO UPDATE SET
        started_at = least(s.started_at, excluded.started_at),
        last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
        ended_at = least(s.ended_at, excluded.ended_at),
        end_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                          THEN excluded.end_reason ELSE s.end_reason END
      """;

  private static final String INSERT_SIZES = """
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[],
                           ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  private static final String INSERT_STORAGE_LEVELS = """
      INSERT INTO billing_storage_levels (user_id, effective_from, storage_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  private final DataSource dataSource;

  public MeteringStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Writes the batch atomically: all of it or, on failure, nothing. */
  public void write(MeteringBatch batch) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        execute(connection, UPSERT_ACCOUNTS, batch.accounts(), List.of(
            AccountRow::userId, AccountRow::email, AccountRow::currency, AccountRow::planId,
            AccountRow::createdAt));
        execute(connection, UPSERT_SESSIONS, batch.sessions(), List.of(
            SessionRow::sessionId, SessionRow::userId, SessionRow::firstSeen,
            SessionRow::lastSeen, SessionRow::endedAt));
        execute(connection, INSERT_SIZES, batch.sizes(), List.of(
            SizeRow::sessionId, SizeRow::effectiveFrom, SizeRow::cpuCores, SizeRow::memoryGb));
        execute(connection, INSERT_STORAGE_LEVELS, batch.storageLevels(), List.of(
            StorageRow::userId, StorageRow::effectiveFrom, StorageRow::storageGb));
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private static <R> void execute(Connection connection, String sql, List<R> rows,
      List<Function<R, ?>> columns) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < columns.size(); i++) {
        SqlArrays.bind(statement, i + 1, rows, columns.get(i));
      }
      statement.executeUpdate();
    }
  }
}
