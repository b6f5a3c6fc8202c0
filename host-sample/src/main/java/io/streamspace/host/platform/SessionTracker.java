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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions this host saw through intake, in memory, and the {@link SessionControl} plugins
 * use on them. The sample host has no real sessions to stop: suspending marks the session and
 * publishes {@code host.session.suspended}, which a real platform would act on. A suspension whose
 * reason asks for a snapshot ({@link SessionControl#SNAPSHOT}) is marked {@code snapshot} and
 * logged, as a real platform would keep the session's state to resume it where it stopped; the
 * user is shown the rest of the reason. A hibernation ({@link SessionControl#HIBERNATED}: nobody
 * used the session for a while) is a snapshot too, its whole reason shown.
 */
public final class SessionTracker implements SessionControl {

  /**
   * A session as the host knows it; {@code suspendedReason} is null while running, {@code
   * snapshot} whether its suspension kept its state.
   */
  public record TrackedSession(
      String sessionId, String userId, String suspendedReason, boolean snapshot) {
    public boolean suspended() {
      return suspendedReason != null;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SessionTracker.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, TrackedSession> sessions = new ConcurrentHashMap<>();
  private final EventPublisher events;

  public SessionTracker(EventPublisher events) {
    this.events = events;
  }

  /** A session was created (or re-announced) on the platform. */
  public void started(String sessionId, String userId) {
    // most are heartbeats of a session tracked already: a read, without the bin's lock or a record
    if (!sessions.containsKey(sessionId)) {
      sessions.putIfAbsent(sessionId, new TrackedSession(sessionId, userId, null, false));
    }
  }

  /** A session ended; the host stops tracking it. */
  public void ended(String sessionId) {
    sessions.remove(sessionId);
  }

  @Override
  public void suspend(String sessionId, String reason) {
    boolean hibernated = reason != null && reason.startsWith(HIBERNATED);
    boolean snapshot = hibernated || reason != null && reason.startsWith(SNAPSHOT);
    String shown = snapshot && !hibernated ? reason.substring(SNAPSHOT.length()) : reason;
    String why = shown == null || shown.isBlank() ? "suspended" : shown;
    TrackedSession before = sessions.get(sessionId);
    if (before != null && before.suspended()) {
      return;
    }
    String userId = before == null ? null : before.userId();
    sessions.put(sessionId, new TrackedSession(sessionId, userId, why, snapshot));
    if (snapshot) {
      log.info("session {}: snapshot taken, suspended ({})", sessionId, why);
    }
    events.publish(
        "host.session.suspended", payload(sessionId, userId).put("snapshot", snapshot).toString());
  }

  @Override
  public void resume(String sessionId) {
    TrackedSession before = sessions.get(sessionId);
    if (before == null || !before.suspended()) {
      return;
    }
    sessions.put(sessionId, new TrackedSession(sessionId, before.userId(), null, false));
    events.publish("host.session.resumed", payload(sessionId, before.userId()).toString());
  }

  /** Every tracked session, by id. */
  public List<TrackedSession> all() {
    List<TrackedSession> list = new ArrayList<>(sessions.values());
    list.sort(Comparator.comparing(TrackedSession::sessionId));
    return list;
  }

  private static ObjectNode payload(String sessionId, String userId) {
    return JSON.createObjectNode().put("session_id", sessionId).put("user_id", userId);
  }
}
