package io.streamspace.host;

import io.streamspace.host.platform.EventLog;
import io.streamspace.host.platform.SessionTracker;
import io.streamspace.host.webhooks.WebhookOutbox;
import java.time.Clock;

/**
 * What the host keeps of the platform: the events plugins publish (forwarded to the webhooks'
 * outbox) and the sessions it tracks, which publish as the host.
 */
record PlatformWiring(EventLog events, SessionTracker sessions) {

  static PlatformWiring create(Clock clock, WebhookOutbox outbox) {
    EventLog events = new EventLog(clock, outbox);
    return new PlatformWiring(events, new SessionTracker(events.publisherFor("host")));
  }
}
