package io.streamspace.billing.admission;

import io.streamspace.billing.db.NamedSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Every account's use as the database holds it, in one statement. */
final class StoredUseQuery {

  private static final NamedSql ALL =
      NamedSql.of(
          """
          -- one row per open session, or one row without a session for an account with none;
          -- the plan is the active subscription's (none yet: the default plan applies), the
          -- storage level the last reported
          SELECT a.user_id, p.plan_id,
                 coalesce(l.storage_gb, 0) AS storage_gb,
                 s.session_id, z.cpu_cores, z.memory_gb
          FROM billing_accounts a
          LEFT JOIN billing_subscriptions p ON p.user_id = a.user_id AND p.ended_at IS NULL
          LEFT JOIN LATERAL (
            SELECT storage_gb FROM billing_storage_levels l WHERE l.user_id = a.user_id
            ORDER BY effective_from DESC LIMIT 1) l ON true
          -- open: not ended, and not timed out (calculate-usage ends it at its last heartbeat)
          LEFT JOIN billing_sessions s ON s.user_id = a.user_id AND s.ended_at IS NULL
            AND s.last_heartbeat >= :stale_before
          LEFT JOIN LATERAL (
            SELECT cpu_cores, memory_gb FROM billing_session_sizes z
            WHERE z.session_id = s.session_id
            ORDER BY effective_from DESC LIMIT 1) z ON true
          """);

  private final DataSource dataSource;

  StoredUseQuery(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** @param staleBefore sessions whose last heartbeat is older are no longer open */
  Map<String, StoredUse> load(Instant staleBefore) throws SQLException {
    Map<String, StoredUse> byAccount = new HashMap<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false); // a fetch size streams rows only inside a transaction
      try (PreparedStatement statement =
          ALL.bind("stale_before", staleBefore).prepare(connection)) {
        statement.setFetchSize(10_000);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            read(rows, byAccount);
          }
        }
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    }
    return byAccount;
  }

  private static void read(ResultSet row, Map<String, StoredUse> byAccount) throws SQLException {
    String accountId = row.getString("user_id"); // the owner's id keys the account (Account)
    StoredUse use = byAccount.get(accountId);
    if (use == null) {
      use =
          new StoredUse(row.getString("plan_id"), row.getBigDecimal("storage_gb"), new HashMap<>());
      byAccount.put(accountId, use);
    }
    String sessionId = row.getString("session_id");
    if (sessionId != null) {
      BigDecimal cores = row.getBigDecimal("cpu_cores");
      use.openSessions()
          .put(
              sessionId,
              cores == null
                  ? SessionSize.NONE
                  : new SessionSize(cores, row.getBigDecimal("memory_gb")));
    }
  }
}
