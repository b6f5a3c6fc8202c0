package io.streamspace.host.bench;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Platform events as the platform posts them to {@code /api/platform/events}. */
final class BenchEvents {

  private BenchEvents() {}

  static Map<String, Object> userCreated(String userId, Instant at) {
    return event(
        "user.created", at, "user", Map.of("user_id", userId, "email", userId + "@example.com"));
  }

  /** A session of 1 core and 2 GB, on an account storing {@code storageGb}. */
  static Map<String, Object> sessionCreated(
      String sessionId, String userId, Instant at, int storageGb) {
    Map<String, Object> session = new LinkedHashMap<>();
    session.put("session_id", sessionId);
    session.put("user_id", userId);
    session.put("cpu_cores", BigDecimal.ONE);
    session.put("memory_gb", BigDecimal.valueOf(2));
    session.put("storage_gb", BigDecimal.valueOf(storageGb));
    return event("session.created", at, "session", session);
  }

  static Map<String, Object> heartbeat(String sessionId, String userId, Instant at) {
    return event(
        "session.heartbeat", at, "session", Map.of("session_id", sessionId, "user_id", userId));
  }

  private static Map<String, Object> event(
      String type, Instant at, String key, Map<String, Object> body) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("id", UUID.randomUUID().toString());
    event.put("type", type);
    // intake takes at most microseconds
    event.put("occurred_at", at.truncatedTo(ChronoUnit.MILLIS).toString());
    event.put(key, body);
    return event;
  }
}
