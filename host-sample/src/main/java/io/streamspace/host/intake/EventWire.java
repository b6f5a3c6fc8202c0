package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UserEvent;

/**
 * Writes events as the platform posts them to {@code /api/platform/events}, the format
 * {@link EventParser} reads: what the host keeps of an event (a dead letter) to deliver it again.
 */
public final class EventWire {

  // decimals as they came: 4.50 stays 4.50
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private EventWire() {}

  /** A {@code user.created} event; its attributes are members of {@code user} again. */
  public static ObjectNode userCreated(UserEvent event) {
    ObjectNode user = NODES.objectNode();
    event.attributes().forEach(user::put);
    user.put("user_id", event.userId());
    putIfPresent(user, "email", event.email());
    putIfPresent(user, "name", event.displayName());
    ObjectNode wire = header(EventType.USER_CREATED, event.id(), event.occurredAt().toString());
    wire.set("user", user);
    return wire;
  }

  /** A session event of the given type. */
  public static ObjectNode session(EventType type, SessionEvent event) {
    ObjectNode session =
        NODES.objectNode().put("session_id", event.sessionId()).put("user_id", event.userId());
    ResourceSize size = event.resources();
    if (size != null) {
      session
          .put("cpu_cores", size.cpuCores())
          .put("memory_gb", size.memoryGb())
          .put("storage_gb", size.storageGb());
    }
    ObjectNode wire = header(type, event.id(), event.occurredAt().toString());
    wire.set("session", session);
    return wire;
  }

  private static ObjectNode header(EventType type, String id, String occurredAt) {
    return NODES
        .objectNode()
        .put("id", id)
        .put("type", type.wireName())
        .put("occurred_at", occurredAt);
  }

  private static void putIfPresent(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }
}
