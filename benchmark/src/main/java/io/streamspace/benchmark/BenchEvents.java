package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Platform events as the platform posts them, with the ids the workloads give them; times to the
 * microsecond, as the host takes them.
 */
public final class BenchEvents {

  private BenchEvents() {}

  /** A user.created of {@code userId}, with an email. */
  public static ObjectNode userCreated(String id, String userId, Instant at) {
    ObjectNode event = envelope(id, "user.created", at);
    event.putObject("user").put("user_id", userId).put("email", userId + "@example.com");
    return event;
  }

  /** A session.created of that many cores, GB of memory and GB stored. */
  public static ObjectNode sessionCreated(
      String id,
      String sessionId,
      String userId,
      Instant at,
      String cores,
      String memoryGb,
      String storageGb) {
    ObjectNode event = session(id, "session.created", sessionId, userId, at);
    ((ObjectNode) event.get("session"))
        .put("cpu_cores", new BigDecimal(cores))
        .put("memory_gb", new BigDecimal(memoryGb))
        .put("storage_gb", new BigDecimal(storageGb));
    return event;
  }

  public static ObjectNode heartbeat(String id, String sessionId, String userId, Instant at) {
    return session(id, "session.heartbeat", sessionId, userId, at);
  }

  public static ObjectNode terminated(String id, String sessionId, String userId, Instant at) {
    return session(id, "session.terminated", sessionId, userId, at);
  }

  private static ObjectNode session(
      String id, String type, String sessionId, String userId, Instant at) {
    ObjectNode event = envelope(id, type, at);
    event.putObject("session").put("session_id", sessionId).put("user_id", userId);
    return event;
  }

  private static ObjectNode envelope(String id, String type, Instant at) {
    return BenchHttp.JSON
        .createObjectNode()
        .put("id", id)
        .put("type", type)
        .put("occurred_at", at.truncatedTo(ChronoUnit.MICROS).toString());
  }
}
