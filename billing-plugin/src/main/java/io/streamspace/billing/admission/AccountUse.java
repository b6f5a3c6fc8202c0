package io.streamspace.billing.admission;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One account's concurrent use as admission sees it: its open sessions with their sizes, its
 * storage level and its plan. Kept current from the session events this node is handed, and
 * replaced by what the database holds at each refresh, except what this node saw after the
 * refresh's horizon (the database may not have it yet: the write-behind queue stores it shortly).
 * Sizes and the storage level hold from their event's instant, whatever order events arrive in.
 * Thread-safe; every method holds the account's monitor, which is uncontended on the hot path.
 */
final class AccountUse {

  /** From the database: older than any event's size. */
  private static final Instant STORED = Instant.MIN;

  /**
   * A session as last seen: its size (zero until one is reported) as of {@code sizeAt}, the
   * instant of the event that reported it, or ended.
   */
  private record Tracked(SessionSize size, Instant sizeAt, boolean ended, Instant seenHereAt) {}

  private final Map<String, Tracked> sessions = new HashMap<>();
  private String planId; // null: not known yet, the default plan's limits apply
  private BigDecimal storageGb = BigDecimal.ZERO;
  private Instant storageAt = STORED;
  private Instant storageSeenHereAt;

  /**
   * The session is open, with the size an event of instant {@code at} reported (null: none),
   * unless a later event's size is known already.
   */
  synchronized void open(String sessionId, SessionSize size, Instant at, Instant now) {
    Tracked known = sessions.get(sessionId);
    if (known != null && known.ended()) {
      return; // an end is final: a late heartbeat does not reopen it
    }
    boolean newer = size != null && (known == null || !at.isBefore(known.sizeAt()));
    Tracked kept =
        newer
            ? new Tracked(size, at, false, now)
            : known != null
                ? new Tracked(known.size(), known.sizeAt(), false, now)
                : new Tracked(SessionSize.NONE, STORED, false, now);
    sessions.put(sessionId, kept);
  }

  synchronized void end(String sessionId, Instant now) {
    Tracked known = sessions.get(sessionId);
    sessions.put(
        sessionId,
        known == null
            ? new Tracked(SessionSize.NONE, STORED, true, now)
            : new Tracked(known.size(), known.sizeAt(), true, now));
  }

  /** The storage level an event of instant {@code at} reported, unless a later one is known. */
  synchronized void storage(BigDecimal level, Instant at, Instant now) {
    if (!at.isBefore(storageAt)) {
      storageGb = level;
      storageAt = at;
      storageSeenHereAt = now;
    }
  }

  /**
   * Takes what the database holds ({@code stored}, or nothing of this account), keeping what
   * this node saw at or after {@code horizon}.
   */
  synchronized void refresh(StoredUse stored, Instant horizon) {
    sessions.values().removeIf(t -> t.seenHereAt().isBefore(horizon));
    if (stored == null) {
      return;
    }
    planId = stored.planId();
    stored
        .openSessions()
        .forEach((id, size) -> sessions.putIfAbsent(id, new Tracked(size, STORED, false, STORED)));
    if (storageSeenHereAt == null || storageSeenHereAt.isBefore(horizon)) {
      storageGb = stored.storageGb();
      storageAt = STORED;
      storageSeenHereAt = null;
    }
  }

  /** Whether nothing is left to remember of the account. */
  synchronized boolean isEmpty() {
    return sessions.isEmpty() && planId == null && storageSeenHereAt == null;
  }

  /** What the account uses now, not counting {@code sessionId} (it asks again, say). */
  synchronized ConcurrentUse use(String sessionId) {
    BigDecimal cores = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    int open = 0;
    for (Map.Entry<String, Tracked> entry : sessions.entrySet()) {
      Tracked tracked = entry.getValue();
      if (!tracked.ended() && !entry.getKey().equals(sessionId)) {
        cores = cores.add(tracked.size().cpuCores());
        memory = memory.add(tracked.size().memoryGb());
        open++;
      }
    }
    return new ConcurrentUse(planId, cores, memory, open, storageGb);
  }
}
