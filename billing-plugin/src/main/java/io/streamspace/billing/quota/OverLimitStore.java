package io.streamspace.billing.quota;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** When accounts first went over a hard limit, as stored ({@code billing_over_limit}). */
final class OverLimitStore {

  // the no-op update makes RETURNING answer the kept instant when a row is already there; in key
  // order, so that two nodes marking the same accounts at once wait rather than deadlock
  private static final NamedSql MARK =
      NamedSql.of(
          """
          INSERT INTO billing_over_limit (user_id, over_since)
          SELECT u.user_id, :now FROM unnest(:user_ids::text[]) AS u(user_id) ORDER BY u.user_id
          ON CONFLICT (user_id) DO UPDATE SET over_since = billing_over_limit.over_since
          RETURNING user_id, over_since""");

  private static final NamedSql CLEAR =
      NamedSql.of("DELETE FROM billing_over_limit WHERE user_id = :user_id");

  private static final NamedSql OVER_SINCE =
      NamedSql.of(
          """
          SELECT user_id, over_since FROM billing_over_limit
          WHERE CAST(:user_id AS text) IS NULL OR user_id = :user_id""");

  // shared: the row is not deleted (the account found back within) until the hold is placed
  private static final NamedSql OVER_SINCE_LOCKED =
      NamedSql.of("SELECT over_since FROM billing_over_limit WHERE user_id = :user_id FOR SHARE");

  private final DataSource dataSource;

  OverLimitStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Records that the account is over since {@code now}, unless it already was: since when. */
  Instant markOver(String orgId, Instant now) throws SQLException {
    return markOver(List.of(orgId), now).get(orgId);
  }

  /**
   * Records that each account is over since {@code now}, unless it already was, in one statement
   * (a page of check-quotas' accounts): since when, by account.
   */
  Map<String, Instant> markOver(List<String> orgIds, Instant now) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            MARK.bind("user_ids", SqlArrays.array(connection, orgIds, id -> id))
                .bind("now", now)
                .prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, Instant> since = new HashMap<>();
      while (rows.next()) {
        since.put(rows.getString(1), Sql.instant(rows.getTimestamp(2)));
      }
      return since;
    }
  }

  /** The account is back within its limits: its grace starts afresh next time. */
  static void clear(Connection connection, String orgId) throws SQLException {
    CLEAR.bind("user_id", orgId).update(connection);
  }

  /**
   * Since when the account is over, if it still is, as its hold is placed: the row stays until
   * that transaction ends, and a clear that committed first is seen.
   */
  static Optional<Instant> lockedOf(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement =
            OVER_SINCE_LOCKED.bind("user_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(Sql.instant(rows.getTimestamp(1))) : Optional.empty();
    }
  }

  /** Since when the account is over, if it is. */
  Optional<Instant> of(String orgId) throws SQLException {
    return Optional.ofNullable(read(orgId).get(orgId));
  }

  /** Since when each account over a hard limit is, by account. */
  Map<String, Instant> all() throws SQLException {
    return read(null);
  }

  private Map<String, Instant> read(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = OVER_SINCE.bind("user_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, Instant> since = new HashMap<>();
      while (rows.next()) {
        since.put(rows.getString(1), Sql.instant(rows.getTimestamp(2)));
      }
      return since;
    }
  }
}
