package io.streamspace.billing.metering;

import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * A platform event as the write-behind buffer holds it until it is stored. Each keeps the event
 * it came from, so that one the database refuses can be handed back to the host as it arrived.
 */
public sealed interface MeteringEvent {

  /** Hands the platform event this came from to the host, to keep until an admin replays it. */
  void setAside(DeadLetters deadLetters, String reason);

  /**
   * A user's billing account should exist.
   *
   * @param source   the user.created event
   * @param currency ISO 4217 code of a supported currency (checked when it was queued)
   * @param planId   a configured plan id
   */
  record AccountOpening(UserEvent source, String currency, String planId) implements MeteringEvent {
    public AccountOpening {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(currency, "currency");
      Objects.requireNonNull(planId, "planId");
    }

    public String userId() {
      return source.userId();
    }

    /** Null when unknown. */
    public String email() {
      return source.email();
    }

    public Instant at() {
      return source.occurredAt();
    }

    @Override
    public void setAside(DeadLetters deadLetters, String reason) {
      deadLetters.recordUserCreated(source, reason);
    }
  }

  /** Something happened to a session. */
  record SessionSignal(SessionSignalKind kind, SessionEvent event) implements MeteringEvent {
    public SessionSignal {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(event, "event");
    }

    @Override
    public void setAside(DeadLetters deadLetters, String reason) {
      switch (kind) {
        case CREATED -> deadLetters.recordSessionCreated(event, reason);
        case HEARTBEAT -> deadLetters.recordSessionHeartbeat(event, reason);
        case TERMINATED -> deadLetters.recordSessionTerminated(event, reason);
      }
    }
  }

  /** The platform reported usage of a counted meter. */
  record UsageReported(UsageReport report) implements MeteringEvent {
    public UsageReported {
      Objects.requireNonNull(report, "report");
    }

    @Override
    public void setAside(DeadLetters deadLetters, String reason) {
      deadLetters.recordUsageReported(report, reason);
    }
  }

  /**
   * Something happened to an organization: kept by its event id, and for {@code org.created} its
   * account opened (or adopting its terms when a session event opened it first).
   *
   * @param source   the organization event
   * @param currency for {@code org.created}, ISO 4217 code of a supported currency (checked when
   *                 it was queued); null for the other types
   * @param planId   for {@code org.created}, a configured plan id; null for the other types
   */
  record OrganizationChange(OrganizationEvent source, String currency, String planId)
      implements MeteringEvent {
    public OrganizationChange {
      Objects.requireNonNull(source, "source");
      if ((source.type() == OrganizationEvent.Type.CREATED)
          != (currency != null && planId != null)) {
        throw new IllegalArgumentException("org.created has a currency and a plan, and only it");
      }
    }

    @Override
    public void setAside(DeadLetters deadLetters, String reason) {
      deadLetters.recordOrganizationEvent(source, reason);
    }
  }

  /** Which lifecycle hook a {@link SessionSignal} came from. */
  enum SessionSignalKind {
    CREATED,
    HEARTBEAT,
    TERMINATED
  }
}
