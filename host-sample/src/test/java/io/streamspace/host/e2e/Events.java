package io.streamspace.host.e2e;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Platform events as the platform posts them to {@code /api/platform/events}. */
final class Events {
  private Events() {}

  static Map<String, Object> userCreated(String userId, Instant at) {
    return userCreated(userId, at, Map.of());
  }

  /** A user.created whose user has further string fields, which the host hands on as attributes. */
  static Map<String, Object> userCreated(
      String userId, Instant at, Map<String, String> attributes) {
    Map<String, Object> user = new LinkedHashMap<>(attributes);
    user.put("user_id", userId);
    user.put("email", userId + "@example.com");
    return event("user.created", at, "user", user);
  }

  static Map<String, Object> sessionCreated(
      String sessionId,
      String userId,
      Instant at,
      String cpuCores,
      String memoryGb,
      String storageGb) {
    return event(
        "session.created", at, "session", sized(sessionId, userId, cpuCores, memoryGb, storageGb));
  }

  /** The session event with {@code "resources": {"gpu": gpus}} beside its sizes. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> holdingGpus(Map<String, Object> event, String gpus) {
    Map<String, Object> copy = new LinkedHashMap<>(event);
    Map<String, Object> session = new LinkedHashMap<>((Map<String, Object>) event.get("session"));
    session.put("resources", Map.of("gpu", new BigDecimal(gpus)));
    copy.put("session", session);
    return copy;
  }

  static Map<String, Object> heartbeat(String sessionId, String userId, Instant at) {
    return event(
        "session.heartbeat", at, "session", Map.of("session_id", sessionId, "user_id", userId));
  }

  static Map<String, Object> sessionTerminated(String sessionId, String userId, Instant at) {
    return event(
        "session.terminated", at, "session", Map.of("session_id", sessionId, "user_id", userId));
  }

  /** A usage.reported of {@code quantity} of {@code meter}, without a session. */
  static Map<String, Object> usageReported(
      String userId, String meter, String quantity, Instant at) {
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("user_id", userId);
    usage.put("meter", meter);
    usage.put("quantity", new BigDecimal(quantity));
    return event("usage.reported", at, "usage", usage);
  }

  /** An org.created of a team organization in USD on the plan, owned by {@code ownerUserId}. */
  static Map<String, Object> orgCreated(String orgId, String ownerUserId, String plan, Instant at) {
    Map<String, Object> org = new LinkedHashMap<>();
    org.put("org_id", orgId);
    org.put("name", orgId);
    org.put("owner_user_id", ownerUserId);
    org.put("currency", "USD");
    org.put("plan", plan);
    return event("org.created", at, "org", org);
  }

  static Map<String, Object> memberAdded(String orgId, String userId, String role, Instant at) {
    return event(
        "org.member_added",
        at,
        "membership",
        Map.of("org_id", orgId, "user_id", userId, "role", role));
  }

  static Map<String, Object> orgDeleted(String orgId, Instant at) {
    return event("org.deleted", at, "org", Map.of("org_id", orgId));
  }

  /**
   * The session event, its session run under the team organization {@code orgId}; or the
   * usage.reported, its usage billed to it.
   */
  static Map<String, Object> underOrg(String orgId, Map<String, Object> sessionEvent) {
    String key = sessionEvent.containsKey("usage") ? "usage" : "session";
    @SuppressWarnings("unchecked")
    Map<String, Object> session = new LinkedHashMap<>((Map<String, Object>) sessionEvent.get(key));
    session.put("org_id", orgId);
    Map<String, Object> event = new LinkedHashMap<>(sessionEvent);
    event.put(key, session);
    return event;
  }

  private static Map<String, Object> sized(
      String sessionId, String userId, String cpuCores, String memoryGb, String storageGb) {
    Map<String, Object> session = new LinkedHashMap<>();
    session.put("session_id", sessionId);
    session.put("user_id", userId);
    session.put("cpu_cores", new BigDecimal(cpuCores));
    session.put("memory_gb", new BigDecimal(memoryGb));
    session.put("storage_gb", new BigDecimal(storageGb));
    return session;
  }

  private static Map<String, Object> event(
      String type, Instant at, String key, Map<String, Object> body) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("id", UUID.randomUUID().toString());
    event.put("type", type);
    event.put("occurred_at", at.toString());
    event.put(key, body);
    return event;
  }
}
