package io.streamspace.billing.live;

import io.streamspace.billing.rating.HeldSteps;
import java.time.Duration;
import java.time.Instant;

/**
 * A session of the organization that calculate-usage has not settled yet, as stored.
 *
 * @param userId the member who runs it
 * @param from where its unrated time starts: its watermark ({@code rated_until}), else its start
 * @param endedAt its end, null while it runs
 * @param held what it holds from {@code from} on (the steps in effect at {@code from} and after)
 */
record UnratedSession(
    String sessionId,
    String userId,
    Instant startedAt,
    Instant from,
    Instant endedAt,
    Instant lastHeartbeat,
    HeldSteps held) {

  /**
   * Up to when it is billed, seen at {@code now}, as calculate-usage will close it: its end;
   * else, when its heartbeats stopped more than {@code timeout} ago, its last heartbeat (rating
   * closes it there); else now. Never past the organization's closing ({@code closedAt}, null:
   * open).
   */
  Instant billedUntil(Instant now, Duration timeout, Instant closedAt) {
    Instant end = endedAt != null ? endedAt : timedOut(now, timeout) ? lastHeartbeat : now;
    return closedAt != null && closedAt.isBefore(end) ? closedAt : end;
  }

  /** Whether it runs at {@code now}: not ended, not timed out, its organization not closed. */
  boolean runsAt(Instant now, Duration timeout, Instant closedAt) {
    return endedAt == null
        && !timedOut(now, timeout)
        && (closedAt == null || closedAt.isAfter(now));
  }

  private boolean timedOut(Instant now, Duration timeout) {
    return lastHeartbeat.isBefore(now.minus(timeout));
  }
}
