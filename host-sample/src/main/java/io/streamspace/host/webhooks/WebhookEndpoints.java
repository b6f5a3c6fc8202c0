package io.streamspace.host.webhooks;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.host.secrets.SecretBox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The webhook endpoints, in {@code host_webhook_endpoints}. Each signing secret is generated here,
 * answered once by {@link #create} and stored encrypted ({@link SecretBox}, place
 * {@code webhooks/<id>}), so a copy of the database alone cannot forge deliveries.
 */
public final class WebhookEndpoints {

  /** A new endpoint and its secret, which only this answer carries. */
  public record Created(WebhookEndpoint endpoint, String secret) {}

  private static final String COLUMNS = "id, url, event_types, created_at, disabled_at";

  private static final String INSERT =
      """
      INSERT INTO host_webhook_endpoints (id, url, event_types, secret, created_at)
      VALUES (?, ?, ?, ?, ?)""";

  private static final String ALL =
      "SELECT %s FROM host_webhook_endpoints ORDER BY id".formatted(COLUMNS);

  private static final String FIND =
      "SELECT %s FROM host_webhook_endpoints WHERE id = ?".formatted(COLUMNS);

  private static final String DISABLE =
      """
      UPDATE host_webhook_endpoints SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?""";

  private final DataSource dataSource;
  private final Clock clock;
  private final SecretBox secrets;

  public WebhookEndpoints(DataSource dataSource, Clock clock, SecretBox secrets) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.secrets = secrets;
  }

  /** Stores a new endpoint (its id drawn first: the secret is sealed for its place). */
  public Created create(String url, List<String> eventTypes) {
    String secret = WebhookSignature.newSecret();
    Timestamp now = Timestamp.from(clock.instant());
    try {
      long id =
          Transactions.inTransaction(
              dataSource,
              connection -> {
                long next = nextId(connection);
                try (PreparedStatement insert =
                    Sql.prepare(
                        connection,
                        INSERT,
                        next,
                        url,
                        connection.createArrayOf("text", eventTypes.toArray()),
                        secrets.seal(secret, place(next)),
                        now)) {
                  insert.executeUpdate();
                }
                return next;
              });
      return new Created(find(id).orElseThrow(), secret);
    } catch (SQLException e) {
      throw Sql.failure("storing a webhook endpoint", e);
    }
  }

  /** Every endpoint, disabled ones included, oldest first. */
  public List<WebhookEndpoint> all() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(ALL);
        ResultSet rows = statement.executeQuery()) {
      List<WebhookEndpoint> endpoints = new ArrayList<>();
      while (rows.next()) {
        endpoints.add(endpoint(rows));
      }
      return endpoints;
    } catch (SQLException e) {
      throw Sql.failure("listing webhook endpoints", e);
    }
  }

  public Optional<WebhookEndpoint> find(long id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, FIND, id);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(endpoint(rows)) : Optional.empty();
    } catch (SQLException e) {
      throw Sql.failure("reading a webhook endpoint", e);
    }
  }

  /** Disables an endpoint (kept with its deliveries); false when there is none. */
  public boolean disable(long id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, DISABLE, Timestamp.from(clock.instant()), id)) {
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw Sql.failure("disabling a webhook endpoint", e);
    }
  }

  /** The plaintext of an endpoint's stored secret. */
  String secret(long endpointId, String sealed) {
    return secrets.open(sealed, place(endpointId));
  }

  private static String place(long endpointId) {
    return "webhooks/" + endpointId;
  }

  private static long nextId(Connection connection) throws SQLException {
    try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT nextval(pg_get_serial_sequence('host_webhook_endpoints', 'id'))");
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static WebhookEndpoint endpoint(ResultSet rows) throws SQLException {
    return new WebhookEndpoint(
        rows.getLong(1),
        rows.getString(2),
        Arrays.asList((String[]) rows.getArray(3).getArray()),
        Sql.instant(rows.getTimestamp(4)),
        Sql.instant(rows.getTimestamp(5)));
  }
}
