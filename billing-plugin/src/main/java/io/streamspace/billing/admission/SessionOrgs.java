package io.streamspace.billing.admission;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The organization each session counts against, as its session.created fixed it: a heartbeat or
 * termination counts there whatever {@code org_id} it carries (none, or another), as metering
 * bills it. Learned from the session.created events this node is handed, and at each reload from
 * the open sessions the database holds; what this node saw is kept until {@code horizon} passes,
 * as the view keeps it.
 */
final class SessionOrgs {

  private record Fixed(String orgId, Instant seenHereAt) {}

  private final Map<String, Fixed> sessions = new ConcurrentHashMap<>();

  /** The session's session.created put it under {@code orgId}. */
  void fixed(String sessionId, String orgId, Instant now) {
    sessions.put(sessionId, new Fixed(orgId, now));
  }

  /** The organization the session counts against, if its session.created is known here. */
  Optional<String> of(String sessionId) {
    Fixed fixed = sessions.get(sessionId);
    return fixed == null ? Optional.empty() : Optional.of(fixed.orgId());
  }

  /**
   * Takes the open sessions the database holds, by account ({@code stored}), keeping what this
   * node saw at or after {@code horizon}; forgets the others (ended, or timed out).
   */
  void refresh(Map<String, StoredUse> stored, Instant horizon) {
    sessions.values().removeIf(fixed -> fixed.seenHereAt().isBefore(horizon));
    stored(stored);
  }

  /** Adds the open sessions the database holds of the accounts read ({@code stored}). */
  void stored(Map<String, StoredUse> stored) {
    stored.forEach(
        (orgId, use) ->
            use.openSessions()
                .keySet()
                .forEach(id -> sessions.putIfAbsent(id, new Fixed(orgId, Instant.MIN))));
  }
}
