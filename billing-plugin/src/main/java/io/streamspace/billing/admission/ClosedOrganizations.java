package io.streamspace.billing.admission;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The organizations closed by an org.deleted and when, in memory, for admission's hot path (a
 * closed organization's new sessions are refused with {@code organization_closed}). An
 * org.deleted this node is handed acts at once; one stored on another node after the next
 * {@link #reload}, as holds do. The earliest deletion wins, as it does for the stored closing
 * ({@code billing_accounts.closed_at}).
 */
final class ClosedOrganizations {

  /** The code admission denies a closed organization's new session with. */
  static final String CODE = "organization_closed";

  private static final NamedSql CLOSED =
      NamedSql.of("SELECT user_id, closed_at FROM billing_accounts WHERE closed_at IS NOT NULL");

  /** A closing, as loaded ({@code seenHereAt} null) or as handed to this node. */
  private record Closing(Instant at, Instant seenHereAt) {}

  private final Map<String, Closing> closed = new ConcurrentHashMap<>();
  private final DataSource dataSource;

  ClosedOrganizations(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** When the organization closed, if it is closed at {@code now}. */
  Optional<Instant> closedAt(String orgId, Instant now) {
    Closing closing = closed.get(orgId);
    return closing == null || closing.at().isAfter(now)
        ? Optional.empty()
        : Optional.of(closing.at());
  }

  /** This node was handed an org.deleted of {@code at}: it acts at once. */
  void deleted(String orgId, Instant at, Instant now) {
    closed.merge(
        orgId,
        new Closing(at, now),
        (old, handed) -> handed.at().isBefore(old.at()) ? handed : old);
  }

  /**
   * Takes the closings the database holds, keeping those handed here at or after {@code
   * horizon} that it does not hold yet (the write-behind queue stores them shortly). One
   * statement over the few closed accounts (a partial index).
   */
  void reload(Instant horizon) throws SQLException {
    Map<String, Instant> stored = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = CLOSED.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        stored.put(rs.getString(1), rs.getTimestamp(2).toInstant());
      }
    }
    Set<String> ids = new HashSet<>(closed.keySet());
    ids.addAll(stored.keySet());
    for (String id : ids) {
      closed.compute(
          id,
          (key, known) -> {
            Instant at = stored.get(key);
            boolean recent =
                known != null
                    && known.seenHereAt() != null
                    && !known.seenHereAt().isBefore(horizon);
            if (at == null) {
              return recent ? known : null;
            }
            return recent && known.at().isBefore(at) ? known : new Closing(at, null);
          });
    }
  }
}
