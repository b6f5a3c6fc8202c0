package io.streamspace.host.webhooks;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.http.Page;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The outbox's rows: claimed for sending, their attempts recorded, listed for admins. */
final class WebhookDeliveries {

  /** A delivery to send now, with what sending needs. */
  record Claimed(
      long id,
      long endpointId,
      String url,
      String sealedSecret,
      String eventId,
      String eventType,
      String body,
      Instant createdAt,
      int attempts) {}

  private static final String CLAIMED_COLUMNS =
      "d.id, d.endpoint_id, e.url, e.secret, d.event_id, d.event_type, d.body, d.created_at,"
          + " d.attempts";

  // The oldest due row no other worker holds, leased: due again only if this one never records
  private static final String CLAIM_DUE =
      """
      UPDATE host_webhook_deliveries d SET next_attempt_at = ?
      FROM host_webhook_endpoints e
      WHERE e.id = d.endpoint_id AND d.id = (
        SELECT p.id FROM host_webhook_deliveries p
        JOIN host_webhook_endpoints pe ON pe.id = p.endpoint_id AND pe.disabled_at IS NULL
        WHERE p.status = 'pending' AND p.next_attempt_at <= ?
        ORDER BY p.next_attempt_at, p.id LIMIT 1
        FOR UPDATE OF p SKIP LOCKED)
      RETURNING %s"""
          .formatted(CLAIMED_COLUMNS);

  private static final String FIND_CLAIMED =
      """
      SELECT %s FROM host_webhook_deliveries d JOIN host_webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.endpoint_id = ? AND d.id = ?"""
          .formatted(CLAIMED_COLUMNS);

  private static final String INSERT_ATTEMPT =
      """
      INSERT INTO host_webhook_attempts (delivery_id, attempted_at, response_code, error, replay)
      VALUES (?, ?, ?, ?, ?)""";

  // a scheduled attempt sets the status and the next attempt; a replay only delivers, a failed
  // replay leaves the delivery's schedule as it was; and a delivery a replay delivered while a
  // scheduled attempt was under way stays delivered whatever that attempt met
  private static final String RECORD =
      """
      UPDATE host_webhook_deliveries SET
        attempts = attempts + 1, last_attempt_at = ?, last_response_code = ?, last_error = ?,
        status = CASE WHEN ? THEN 'delivered' WHEN ? OR status = 'delivered' THEN status
                      ELSE ? END,
        next_attempt_at = CASE WHEN ? THEN NULL WHEN ? OR status = 'delivered' THEN next_attempt_at
                               ELSE ? END,
        delivered_at = CASE WHEN ? THEN coalesce(delivered_at, ?) ELSE delivered_at END
      WHERE id = ?""";

  private static final String DELIVERY_COLUMNS =
      """
      id, endpoint_id, event_id, event_type, status, attempts, created_at, next_attempt_at,
      last_attempt_at, last_response_code, last_error, delivered_at""";

  private static final String PAGE =
      """
      SELECT %s FROM host_webhook_deliveries WHERE endpoint_id = ?
      ORDER BY id DESC LIMIT ? OFFSET ?"""
          .formatted(DELIVERY_COLUMNS);

  private static final String FIND =
      "SELECT %s FROM host_webhook_deliveries WHERE endpoint_id = ? AND id = ?"
          .formatted(DELIVERY_COLUMNS);

  private static final String ATTEMPTS =
      """
      SELECT delivery_id, attempted_at, response_code, error, replay FROM host_webhook_attempts
      WHERE delivery_id = ANY (?) ORDER BY id DESC""";

  private final DataSource dataSource;

  WebhookDeliveries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The next due delivery, leased until {@code leasedUntil}; empty when none is due. */
  Optional<Claimed> claimDue(Instant now, Instant leasedUntil) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, CLAIM_DUE, Timestamp.from(leasedUntil), Timestamp.from(now));
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(claimed(rows)) : Optional.empty();
    } catch (SQLException e) {
      throw Sql.failure("claiming a webhook delivery", e);
    }
  }

  Optional<Claimed> findClaimable(long endpointId, long deliveryId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, FIND_CLAIMED, endpointId, deliveryId);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(claimed(rows)) : Optional.empty();
    } catch (SQLException e) {
      throw Sql.failure("reading a webhook delivery", e);
    }
  }

  /**
   * Records an attempt and its consequence, in one transaction.
   *
   * @param failedStatus for a failed scheduled attempt: {@code pending} or {@code failed}
   * @param nextAttempt for a failed scheduled attempt: when it is tried again (null when failed)
   */
  void record(
      long deliveryId,
      Instant attemptedAt,
      WebhookSender.Outcome outcome,
      boolean replay,
      String failedStatus,
      Instant nextAttempt) {
    Timestamp at = Timestamp.from(attemptedAt);
    boolean delivered = outcome.delivered();
    Timestamp next = nextAttempt == null ? null : Timestamp.from(nextAttempt);
    try {
      Transactions.inTransaction(
          dataSource,
          connection -> {
            try (PreparedStatement insert =
                Sql.prepare(
                    connection,
                    INSERT_ATTEMPT,
                    deliveryId,
                    at,
                    outcome.responseCode(),
                    outcome.error(),
                    replay)) {
              insert.executeUpdate();
            }
            try (PreparedStatement update =
                Sql.prepare(
                    connection,
                    RECORD,
                    at,
                    outcome.responseCode(),
                    outcome.error(),
                    delivered,
                    replay,
                    failedStatus,
                    delivered,
                    replay,
                    next,
                    delivered,
                    at,
                    deliveryId)) {
              update.executeUpdate();
            }
            return null;
          });
    } catch (SQLException e) {
      throw Sql.failure("recording a webhook attempt", e);
    }
  }

  /** A page of an endpoint's deliveries, newest first (one more row than the page). */
  List<WebhookDelivery> page(long endpointId, Page page) {
    return query(PAGE, endpointId, page.fetch(), page.offset());
  }

  Optional<WebhookDelivery> find(long endpointId, long deliveryId) {
    return query(FIND, endpointId, deliveryId).stream().findFirst();
  }

  private List<WebhookDelivery> query(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection()) {
      Map<Long, WebhookDelivery> byId = new LinkedHashMap<>();
      try (PreparedStatement statement = Sql.prepare(connection, sql, params);
          ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          WebhookDelivery delivery = delivery(rows);
          byId.put(delivery.id(), delivery);
        }
      }
      addAttempts(connection, byId);
      return List.copyOf(byId.values());
    } catch (SQLException e) {
      throw Sql.failure("listing webhook deliveries", e);
    }
  }

  /** Fills the deliveries' attempt lists (still mutable), one query for all. */
  private static void addAttempts(Connection connection, Map<Long, WebhookDelivery> byId)
      throws SQLException {
    Array ids = connection.createArrayOf("bigint", byId.keySet().toArray());
    try (PreparedStatement statement = Sql.prepare(connection, ATTEMPTS, ids);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        byId.get(rows.getLong(1))
            .attempts()
            .add(
                new WebhookDelivery.Attempt(
                    Sql.instant(rows.getTimestamp(2)),
                    (Integer) rows.getObject(3),
                    rows.getString(4),
                    rows.getBoolean(5)));
      }
    }
  }

  private static WebhookDelivery delivery(ResultSet rows) throws SQLException {
    return new WebhookDelivery(
        rows.getLong(1),
        rows.getLong(2),
        rows.getString(3),
        rows.getString(4),
        rows.getString(5),
        rows.getInt(6),
        Sql.instant(rows.getTimestamp(7)),
        Sql.instant(rows.getTimestamp(8)),
        Sql.instant(rows.getTimestamp(9)),
        (Integer) rows.getObject(10),
        rows.getString(11),
        Sql.instant(rows.getTimestamp(12)),
        new ArrayList<>());
  }

  private static Claimed claimed(ResultSet rows) throws SQLException {
    return new Claimed(
        rows.getLong(1),
        rows.getLong(2),
        rows.getString(3),
        rows.getString(4),
        rows.getString(5),
        rows.getString(6),
        rows.getString(7),
        Sql.instant(rows.getTimestamp(8)),
        rows.getInt(9));
  }
}
