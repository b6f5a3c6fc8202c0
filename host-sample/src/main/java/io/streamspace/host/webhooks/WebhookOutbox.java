package io.streamspace.host.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.db.Sql;
import io.streamspace.common.http.Json;
import io.streamspace.host.platform.EventLog.PublishedEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns published events into one pending delivery per event and active endpoint whose types
 * match it, in one committed statement for the events of one publishing (one event, or a
 * plugin's {@code publishAll}), before the plugin's {@code publish} returns: once it has
 * returned, a crash loses no delivery. When the database fails, the deliveries are lost and a
 * warning says which events (publishing never fails the plugin).
 */
public final class WebhookOutbox implements Consumer<List<PublishedEvent>> {

  private static final Logger log = LoggerFactory.getLogger(WebhookOutbox.class);

  // the events (in order) times the endpoints: a type matches t when equal to it, or when t ends
  // in '*' and the type starts with the rest
  private static final String ENQUEUE =
      """
      INSERT INTO host_webhook_deliveries
        (endpoint_id, event_id, event_type, body, status, created_at, next_attempt_at)
      SELECT e.id, v.event_id, v.event_type, v.body, 'pending', v.published_at, v.published_at
      FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[])
             WITH ORDINALITY AS v(event_id, event_type, body, published_at, ord)
      JOIN host_webhook_endpoints e ON e.disabled_at IS NULL AND EXISTS (
        SELECT 1 FROM unnest(e.event_types) t
        WHERE t = v.event_type
           OR (right(t, 1) = '*' AND starts_with(v.event_type, left(t, -1))))
      ORDER BY v.ord, e.id""";

  private final DataSource dataSource;
  private final ObjectMapper mapper;

  public WebhookOutbox(DataSource dataSource, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.mapper = mapper;
  }

  @Override
  public void accept(List<PublishedEvent> events) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                ENQUEUE,
                array(connection, "text", events, PublishedEvent::id),
                array(connection, "text", events, PublishedEvent::type),
                array(connection, "text", events, this::body),
                array(
                    connection,
                    "timestamptz",
                    events,
                    event -> Timestamp.from(event.publishedAt())))) {
      statement.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      for (PublishedEvent event : events) {
        log.warn(
            "Webhook deliveries of event {} ({}) were not stored and will not be sent: {}",
            event.id(),
            event.type(),
            e.toString());
      }
    }
  }

  private static Array array(
      Connection connection,
      String type,
      List<PublishedEvent> events,
      Function<PublishedEvent, Object> column)
      throws SQLException {
    return connection.createArrayOf(type, events.stream().map(column).toArray());
  }

  /** The body every attempt sends: docs/connecting-your-platform.md, "Receive webhooks". */
  private String body(PublishedEvent event) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", event.id());
    body.put("type", event.type());
    body.put("source", event.source());
    body.put("published_at", event.publishedAt());
    Object payload = Json.parseOrNull(mapper, event.payloadJson());
    body.put("payload", payload == null ? event.payloadJson() : payload);
    try {
      return mapper.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
