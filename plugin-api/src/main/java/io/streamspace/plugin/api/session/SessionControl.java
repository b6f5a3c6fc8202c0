package io.streamspace.plugin.api.session;

/**
 * Lets a plugin suspend and resume platform sessions, for example when an account runs over its
 * quota past the grace period. Both calls are idempotent.
 *
 * <p>Stable since 0.1.
 */
public interface SessionControl {

  /** Suspends a running session; {@code reason} is shown to the user. */
  void suspend(String sessionId, String reason);

  /** Resumes a suspended session. */
  void resume(String sessionId);
}
