package io.streamspace.plugin.api.event;

import java.time.Instant;
import java.util.Objects;

/**
 * Something happened to a streaming session: it was created, is still alive, or ended. Which of
 * these is told by the hook the host calls.
 *
 * @param id         the event's unique id; a redelivered event has the same id
 * @param occurredAt when it happened on the platform
 * @param sessionId  the platform's session id
 * @param userId     the user who owns the session
 * @param resources  the resources the session uses from {@code occurredAt} on; null on a
 *                   heartbeat or termination that reports no change
 * @param orgId      the organization the session runs under, which pays for it; null for the
 *                   user's personal organization. A plugin takes it from {@code
 *                   session.created}: a later membership change does not move the session,
 *                   and a later event of it counts there whatever it names (the billing
 *                   plugin reads the session's). Since 0.3.
 * @param reason     why the session ended, as the platform tells it on {@code
 *                   session.terminated} ({@code user}, {@code idle}, {@code platform_fault},
 *                   {@code node_lost}, {@code out_of_memory}, or a word of the platform's own);
 *                   null when it tells none, and on the other events. The billing plugin
 *                   credits the organization for the reasons its config calls faults. Since 0.4.
 * @param activity   what the session was doing from {@code occurredAt} on, and what it used;
 *                   null when the event reports no activity (the session's last reported one
 *                   holds; active when none was). Since 0.4.
 *
 * <p>Stable since 0.1.
 */
public record SessionEvent(
    String id,
    Instant occurredAt,
    String sessionId,
    String userId,
    ResourceSize resources,
    String orgId,
    String reason,
    SessionActivity activity) {

  public SessionEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(userId, "userId");
  }

  /**
   * The organization the session is billed to: {@link #orgId()}, else the user's personal
   * organization, whose id is {@link #userId()} ({@link BilledOrganization#of}). Not part of the
   * event's wire format.
   *
   * @since 0.3
   */
  public String billedOrgId() {
    return BilledOrganization.of(orgId, userId);
  }

  /** A session event that tells no reason, of a session whose activity it does not report. */
  public SessionEvent(
      String id,
      Instant occurredAt,
      String sessionId,
      String userId,
      ResourceSize resources,
      String orgId,
      String reason) {
    this(id, occurredAt, sessionId, userId, resources, orgId, reason, null);
  }

  /** A session event that reports its session's activity, and tells no reason. */
  public SessionEvent(
      String id,
      Instant occurredAt,
      String sessionId,
      String userId,
      ResourceSize resources,
      String orgId,
      SessionActivity activity) {
    this(id, occurredAt, sessionId, userId, resources, orgId, null, activity);
  }

  /** A session event that tells no reason and reports no activity, as before 0.4. */
  public SessionEvent(
      String id,
      Instant occurredAt,
      String sessionId,
      String userId,
      ResourceSize resources,
      String orgId) {
    this(id, occurredAt, sessionId, userId, resources, orgId, null, null);
  }

  /** A session event of the user's personal organization, as before 0.3. */
  public SessionEvent(
      String id, Instant occurredAt, String sessionId, String userId, ResourceSize resources) {
    this(id, occurredAt, sessionId, userId, resources, null, null, null);
  }
}
