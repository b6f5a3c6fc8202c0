package io.streamspace.host.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.intake.EventType;
import io.streamspace.host.intake.EventWire;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin's {@link DeadLetters}: keeps each event in the platform's format, to replay it
 * through the same hook, and logs one WARN line with its ids and the reason (never the event's
 * content).
 */
final class PluginDeadLetters implements DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(PluginDeadLetters.class);

  private final String pluginId;
  private final DeadLetterStore store;

  PluginDeadLetters(String pluginId, DeadLetterStore store) {
    this.pluginId = pluginId;
    this.store = store;
  }

  @Override
  public void recordUserCreated(UserEvent event, String reason) {
    keep(event.id(), EventType.USER_CREATED, EventWire.userCreated(event), reason);
  }

  @Override
  public void recordSessionCreated(SessionEvent event, String reason) {
    keepSession(EventType.SESSION_CREATED, event, reason);
  }

  @Override
  public void recordSessionHeartbeat(SessionEvent event, String reason) {
    keepSession(EventType.SESSION_HEARTBEAT, event, reason);
  }

  @Override
  public void recordSessionTerminated(SessionEvent event, String reason) {
    keepSession(EventType.SESSION_TERMINATED, event, reason);
  }

  @Override
  public void recordUsageReported(UsageReport report, String reason) {
    keep(report.id(), EventType.USAGE_REPORTED, EventWire.usageReported(report), reason);
  }

  @Override
  public void recordOrganizationEvent(OrganizationEvent event, String reason) {
    keep(event.id(), EventType.of(event.type()), EventWire.organization(event), reason);
  }

  private void keepSession(EventType type, SessionEvent event, String reason) {
    keep(event.id(), type, EventWire.session(type, event), reason);
  }

  private void keep(String eventId, EventType type, JsonNode event, String reason) {
    long id = store.record(pluginId, eventId, type.wireName(), event, reason);
    log.warn(
        "Plugin {} could not store event {} ({}); kept as dead letter {} to replay: {}",
        pluginId,
        eventId,
        type.wireName(),
        id,
        reason);
  }
}
