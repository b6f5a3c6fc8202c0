package io.streamspace.billing.metering;

import io.streamspace.plugin.api.event.SessionEvent;
import java.time.Instant;
import java.util.Objects;

/** A platform event as the write-behind buffer holds it until it is stored. */
public sealed interface MeteringEvent {

  /**
   * A user's billing account should exist.
   *
   * @param email    null when unknown
   * @param currency ISO 4217 code of a supported currency (checked when it was queued)
   * @param planId   a configured plan id
   */
  record AccountOpening(String userId, String email, String currency, String planId, Instant at)
      implements MeteringEvent {
    public AccountOpening {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(currency, "currency");
      Objects.requireNonNull(planId, "planId");
      Objects.requireNonNull(at, "at");
    }
  }

  /** Something happened to a session. */
  record SessionSignal(SessionSignalKind kind, SessionEvent event) implements MeteringEvent {
    public SessionSignal {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(event, "event");
    }
  }

  /** Which lifecycle hook a {@link SessionSignal} came from. */
  enum SessionSignalKind {
    CREATED,
    HEARTBEAT,
    TERMINATED
  }
}
