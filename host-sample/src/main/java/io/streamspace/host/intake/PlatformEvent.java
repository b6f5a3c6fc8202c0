package io.streamspace.host.intake;

import io.streamspace.host.journal.EventHandoff;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.time.Instant;

/** One validated platform event, carrying the API record its hook takes. */
sealed interface PlatformEvent extends EventHandoff.Kept {

  @Override
  String id();

  EventType type();

  Instant occurredAt();

  /**
   * What the journal lists it under ({@code user_id}, where support looks events up): the user of
   * a user, session or usage event, and the organization of an organization event, the one id
   * every event of that type has (a personal organization's id is its user's id, so the two name
   * one account there). Session and usage events stay under their user even when they name an
   * organization: their journal entries, and support's lookups of them, read as before. The
   * journal delivers in the order of its positions whatever the key, so the key moves no event.
   */
  String journalKey();

  /**
   * The billing account whose event it is: the organization it names, else the user's personal
   * organization (whose id is the user's). The Kafka journal keys records by it.
   */
  String account();

  /** The session it is about; null for a user or organization event and a report without one. */
  String sessionId();

  /** The event's text in the format the platform posts it ({@link EventWire}). */
  String wire();

  /** Calls the plugin hook for this event. */
  @Override
  void deliverTo(PlatformPlugin plugin, PluginContext context);

  /** {@code user.created}. */
  record UserCreated(UserEvent event) implements PlatformEvent {
    public String id() {
      return event.id();
    }

    public EventType type() {
      return EventType.USER_CREATED;
    }

    public Instant occurredAt() {
      return event.occurredAt();
    }

    public String journalKey() {
      return event.userId();
    }

    public String account() {
      return event.userId();
    }

    public String sessionId() {
      return null;
    }

    public String wire() {
      return EventWire.userCreatedText(event);
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      plugin.onUserCreated(context, event);
    }
  }

  /**
   * {@code session.created}, {@code session.heartbeat}, {@code session.resumed} (delivered as a
   * heartbeat, its activity active) or {@code session.terminated}.
   */
  record SessionChanged(EventType type, SessionEvent event) implements PlatformEvent {
    public String id() {
      return event.id();
    }

    public Instant occurredAt() {
      return event.occurredAt();
    }

    public String journalKey() {
      return event.userId();
    }

    public String account() {
      return event.billedOrgId();
    }

    public String sessionId() {
      return event.sessionId();
    }

    public String wire() {
      return EventWire.sessionText(type, event);
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      switch (type) {
        case SESSION_CREATED -> plugin.onSessionCreated(context, event);
        case SESSION_HEARTBEAT, SESSION_RESUMED -> plugin.onSessionHeartbeat(context, event);
        case SESSION_TERMINATED -> plugin.onSessionTerminated(context, event);
        default -> throw new IllegalStateException("not a session event: " + type);
      }
    }
  }

  /** {@code usage.reported}. */
  record UsageReported(UsageReport report) implements PlatformEvent {
    public String id() {
      return report.id();
    }

    public EventType type() {
      return EventType.USAGE_REPORTED;
    }

    public Instant occurredAt() {
      return report.occurredAt();
    }

    public String journalKey() {
      return report.userId();
    }

    public String account() {
      return report.billedOrgId();
    }

    public String sessionId() {
      return report.sessionId();
    }

    public String wire() {
      return EventWire.usageReportedText(report);
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      plugin.onUsageReported(context, report);
    }
  }

  /**
   * {@code org.created}, {@code org.member_added}, {@code org.member_role_changed}, {@code
   * org.member_removed} or {@code org.deleted}.
   */
  record OrganizationChanged(OrganizationEvent event) implements PlatformEvent {
    public String id() {
      return event.id();
    }

    public EventType type() {
      return EventType.of(event.type());
    }

    public Instant occurredAt() {
      return event.occurredAt();
    }

    public String journalKey() {
      return event.orgId();
    }

    public String account() {
      return event.orgId();
    }

    public String sessionId() {
      return null;
    }

    public String wire() {
      return EventWire.organizationText(event);
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      plugin.onOrganizationEvent(context, event);
    }
  }
}
