package io.streamspace.host.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.session.SessionControl;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions this host saw through intake, in memory, and the {@link SessionControl} plugins
 * use on them. The sample host has no real sessions to stop: suspending marks the session and
 * publishes {@code host.session.suspended}, which a real platform would act on.
 */
public final class SessionTracker implements SessionControl {

  /** A session as the host knows it; {@code suspendedReason} is null while running. */
  public record TrackedSession(String sessionId, String userId, String suspendedReason) {
    public boolean suspended() {
      return suspendedReason != null;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, TrackedSession> sessions = new ConcurrentHashMap<>();
  private final EventPublisher events;

  public SessionTracker(EventPublisher events) {
    this.events = events;
  }

  /** A session was created (or re-announced) on the platform. */
  public void started(String sessionId, String userId) {
    sessions.putIfAbsent(sessionId, new TrackedSession(sessionId, userId, null));
  }

  /** A session ended; the host stops tracking it. */
  public void ended(String sessionId) {
    sessions.remove(sessionId);
  }

  @Override
  public void suspend(String sessionId, String reason) {
    String why = reason == null || reason.isBlank() ? "suspended" : reason;
    TrackedSession before = sessions.get(sessionId);
    if (before != null && before.suspended()) {
      return;
    }
    String userId = before == null ? null : before.userId();
    sessions.put(sessionId, new TrackedSession(sessionId, userId, why));
    events.publish("host.session.suspended", payload(sessionId, userId));
  }

  @Override
  public void resume(String sessionId) {
    TrackedSession before = sessions.get(sessionId);
    if (before == null || !before.suspended()) {
      return;
    }
    sessions.put(sessionId, new TrackedSession(sessionId, before.userId(), null));
    events.publish("host.session.resumed", payload(sessionId, before.userId()));
  }

  /** Every tracked session, by id. */
  public List<TrackedSession> all() {
    List<TrackedSession> list = new ArrayList<>(sessions.values());
    list.sort(Comparator.comparing(TrackedSession::sessionId));
    return list;
  }

  private static String payload(String sessionId, String userId) {
    ObjectNode payload =
        JSON.createObjectNode().put("session_id", sessionId).put("user_id", userId);
    return payload.toString();
  }
}
