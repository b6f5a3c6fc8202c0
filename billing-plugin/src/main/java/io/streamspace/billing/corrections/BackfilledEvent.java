package io.streamspace.billing.corrections;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An event a correction backfills, in intake's shape ({@code docs/connecting-your-platform.md}):
 * a session's {@code session.created}, {@code session.heartbeat} or {@code session.terminated}
 * (its sizes, held resources and reason), or a {@code usage.reported}. Kept as posted, and read
 * back from the journal by the same parser.
 *
 * @param session the session event; null for a usage report
 * @param usage the usage report; null for a session event
 */
public record BackfilledEvent(
    String type,
    String id,
    Instant occurredAt,
    SessionEvent session,
    UsageReport usage,
    String json) {

  static final String CREATED = "session.created";
  static final String HEARTBEAT = "session.heartbeat";
  static final String TERMINATED = "session.terminated";
  static final String REPORTED = "usage.reported";

  private static final List<String> TYPES = List.of(CREATED, HEARTBEAT, TERMINATED, REPORTED);
  private static final BigDecimal MAX_CORES = BigDecimal.valueOf(1_024);
  private static final BigDecimal MAX_MEMORY = BigDecimal.valueOf(16_384);
  private static final BigDecimal MAX_STORAGE = BigDecimal.valueOf(1_000_000);
  private static final BigDecimal MAX_QUANTITY = BigDecimal.valueOf(1_000_000_000);

  /** The session an event is of (a report's, when it names one); null for none. */
  String sessionId() {
    return session != null ? session.sessionId() : usage.sessionId();
  }

  /** The organization it names or implies (a session's own, once stored, wins for a session). */
  String billedOrgId() {
    return session != null ? session.billedOrgId() : usage.billedOrgId();
  }

  /** Reads one event; refused naming the field under {@code prefix} that is missing or bad. */
  static BackfilledEvent parse(JsonNode node, String prefix) throws CorrectionRefused {
    if (node == null || !node.isObject()) {
      throw new CorrectionRefused(prefix, prefix + " must be an event object");
    }
    Fields event = new Fields(node, prefix);
    String id = event.id("id");
    Instant at = event.instant("occurred_at");
    String type = node.path("type").asText("");
    if (!TYPES.contains(type)) {
      throw new CorrectionRefused(
          event.name("type"), event.name("type") + " must be one of " + String.join(", ", TYPES));
    }
    String json = JsonMapper.write(node);
    if (REPORTED.equals(type)) {
      Fields usage = event.object("usage");
      return new BackfilledEvent(
          type,
          id,
          at,
          null,
          new UsageReport(
              id,
              at,
              usage.id("user_id"),
              usage.id("meter"),
              usage.amount("quantity", MAX_QUANTITY),
              usage.optionalId("session_id"),
              usage.optionalId("org_id")),
          json);
    }
    Fields session = event.object("session");
    return new BackfilledEvent(
        type,
        id,
        at,
        new SessionEvent(
            id,
            at,
            session.id("session_id"),
            session.id("user_id"),
            size(session, CREATED.equals(type)),
            session.optionalId("org_id"),
            TERMINATED.equals(type) ? session.optionalId("reason") : null),
        null,
        json);
  }

  /** The three sizes (with held resources), required on a created, else all or none. */
  private static ResourceSize size(Fields session, boolean required) throws CorrectionRefused {
    boolean any = session.has("cpu_cores") || session.has("memory_gb") || session.has("storage_gb");
    if (!any && !required) {
      if (session.has("resources")) {
        throw new CorrectionRefused(
            session.name("resources"),
            session.name("resources") + " comes only with cpu_cores, memory_gb and storage_gb");
      }
      return null;
    }
    Map<String, BigDecimal> held = session.resources("resources");
    return new ResourceSize(
        session.amount("cpu_cores", MAX_CORES),
        session.amount("memory_gb", MAX_MEMORY),
        session.amount("storage_gb", MAX_STORAGE),
        held);
  }
}
