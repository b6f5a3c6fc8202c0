package io.streamspace.plugin.api.session;

/**
 * Lets a plugin suspend and resume platform sessions, for example when an account runs over its
 * quota past the grace period. Both calls are idempotent.
 *
 * <p>Stable since 0.1; the {@link #SNAPSHOT} and {@link #HIBERNATED} reasons since 0.4.
 */
public interface SessionControl {

  /**
   * How a reason starts when the plugin asks for a snapshot suspension: the host keeps the
   * session's state (its desktop, its open applications) so that {@link #resume} takes the user
   * back to where they were, and shows the user the rest of the reason. Billing asks for it when
   * a prepaid balance is spent: money arriving resumes the session. A host that cannot snapshot
   * suspends the session as for any other reason. A convention of the reason rather than a
   * method (the constant is compiled into the plugin), so that asking for it never fails on an
   * older host, which shows the whole reason. Since 0.4.
   */
  String SNAPSHOT = "snapshot: ";

  /**
   * How a reason starts when the plugin suspends a session nobody used for a while (billing's
   * {@code hibernateAfterIdleMinutes}): the host keeps its state as for {@link #SNAPSHOT}, until
   * the user returns; the platform then resumes it itself (no {@link #resume} comes) and tells
   * plugins with a {@code session.resumed} event, delivered as a heartbeat whose activity is
   * active. The whole reason is shown to the user. Since 0.4.
   */
  String HIBERNATED = "hibernated: ";

  /**
   * Suspends a running session; {@code reason} is shown to the user (after {@link #SNAPSHOT},
   * when it starts with it).
   */
  void suspend(String sessionId, String reason);

  /** Resumes a suspended session. */
  void resume(String sessionId);
}
