package io.streamspace.host.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.db.Sql;
import io.streamspace.common.http.Json;
import io.streamspace.host.platform.EventLog.PublishedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a published event into one pending delivery per active endpoint whose types match it, in
 * one committed statement, before the plugin's {@code publish} returns: once it has returned, a
 * crash loses no delivery. When the database fails, the deliveries are lost and a warning says
 * which event (publishing never fails the plugin).
 */
public final class WebhookOutbox implements Consumer<PublishedEvent> {

  private static final Logger log = LoggerFactory.getLogger(WebhookOutbox.class);

  // a type matches t when equal to it, or when t ends in '*' and the type starts with the rest
  private static final String ENQUEUE =
      """
      INSERT INTO host_webhook_deliveries
        (endpoint_id, event_id, event_type, body, status, created_at, next_attempt_at)
      SELECT e.id, ?, ?, ?, 'pending', ?, ? FROM host_webhook_endpoints e
      WHERE e.disabled_at IS NULL AND EXISTS (
        SELECT 1 FROM unnest(e.event_types) t
        WHERE t = ?::text OR (right(t, 1) = '*' AND starts_with(?::text, left(t, -1))))""";

  private final DataSource dataSource;
  private final ObjectMapper mapper;

  public WebhookOutbox(DataSource dataSource, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.mapper = mapper;
  }

  @Override
  public void accept(PublishedEvent event) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                ENQUEUE,
                event.id(),
                event.type(),
                body(event),
                Timestamp.from(event.publishedAt()),
                Timestamp.from(event.publishedAt()),
                event.type(),
                event.type())) {
      statement.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "Webhook deliveries of event {} ({}) were not stored and will not be sent: {}",
          event.id(),
          event.type(),
          e.toString());
    }
  }

  /** The body every attempt sends: README "Webhooks". */
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
