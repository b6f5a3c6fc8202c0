package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.common.time.InstantText;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.TreeMap;

/**
 * Writes events as the platform posts them to {@code /api/platform/events}, the format
 * {@link EventParser} reads: what the host keeps of an event (in the journal, or as a dead letter)
 * to deliver it again. One event has one form: user attributes sorted by name, decimals without
 * trailing zeros ({@code 4.50} is written {@code 4.5}), so that a redelivery of the same event
 * reads the same, whatever order or notation the platform used.
 */
public final class EventWire {

  // decimals exactly as given (no double in between); canonical() drops their trailing zeros
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private EventWire() {}

  /** A {@code user.created} event; its attributes are members of {@code user} again. */
  public static ObjectNode userCreated(UserEvent event) {
    ObjectNode user = NODES.objectNode();
    new TreeMap<>(event.attributes()).forEach(user::put);
    user.put("user_id", event.userId());
    putIfPresent(user, "email", event.email());
    putIfPresent(user, "name", event.displayName());
    ObjectNode wire = header(EventType.USER_CREATED, event.id(), event.occurredAt());
    wire.set("user", user);
    return wire;
  }

  /** A session event of the given type. */
  public static ObjectNode session(EventType type, SessionEvent event) {
    ObjectNode session =
        NODES.objectNode().put("session_id", event.sessionId()).put("user_id", event.userId());
    // absent when not given, so events of personal organizations keep their form (and hash)
    putIfPresent(session, "org_id", event.orgId());
    putIfPresent(session, "reason", event.reason()); // absent when not told, as before 0.4
    ResourceSize size = event.resources();
    if (size != null) {
      session
          .put("cpu_cores", canonical(size.cpuCores()))
          .put("memory_gb", canonical(size.memoryGb()))
          .put("storage_gb", canonical(size.storageGb()));
      // absent when none is held, so events without held resources keep their form (and hash)
      if (!size.resources().isEmpty()) {
        ObjectNode held = session.putObject("resources");
        size.resources().forEach((meter, amount) -> held.put(meter, canonical(amount)));
      }
    }
    // absent when not reported, so events without activity keep their form (and hash)
    SessionActivity activity = event.activity();
    if (activity != null) {
      session.put("activity", activity.state().wireName());
      if (!activity.used().isEmpty()) {
        ObjectNode used = session.putObject("used");
        activity.used().forEach((name, amount) -> used.put(name, canonical(amount)));
      }
    }
    ObjectNode wire = header(type, event.id(), event.occurredAt());
    wire.set("session", session);
    return wire;
  }

  /** A {@code usage.reported} event. */
  public static ObjectNode usageReported(UsageReport report) {
    ObjectNode usage =
        NODES
            .objectNode()
            .put("user_id", report.userId())
            .put("meter", report.meter())
            .put("quantity", canonical(report.quantity()));
    putIfPresent(usage, "session_id", report.sessionId());
    putIfPresent(usage, "org_id", report.orgId());
    ObjectNode wire = header(EventType.USAGE_REPORTED, report.id(), report.occurredAt());
    wire.set("usage", usage);
    return wire;
  }

  /**
   * An organization event: {@code org.created} carries {@code org} with what it tells of the
   * organization, {@code org.deleted} carries {@code org} with its id only, the membership events
   * carry {@code membership} (without a role when the member left).
   */
  public static ObjectNode organization(OrganizationEvent event) {
    ObjectNode wire = header(EventType.of(event.type()), event.id(), event.occurredAt());
    OrganizationEvent.Membership membership = event.membership();
    if (membership != null) {
      ObjectNode member =
          NODES.objectNode().put("org_id", event.orgId()).put("user_id", membership.userId());
      if (membership.role() != null) {
        member.put("role", membership.role().wireName());
      }
      wire.set("membership", member);
      return wire;
    }
    ObjectNode org = NODES.objectNode().put("org_id", event.orgId());
    OrganizationEvent.Organization created = event.organization();
    if (created != null) {
      putIfPresent(org, "name", created.name());
      org.put("owner_user_id", created.ownerUserId());
      putIfPresent(org, "currency", created.currency());
      putIfPresent(org, "plan", created.planId());
    }
    wire.set("org", org);
    return wire;
  }

  /**
   * The value without trailing zeros, in plain notation ({@code 100}, not {@code 1E+2}): the
   * parser reads decimals this way too, so an event as intake parsed it equals the event read back
   * from its journaled body.
   */
  static BigDecimal canonical(BigDecimal value) {
    return new BigDecimal(value.stripTrailingZeros().toPlainString());
  }

  private static ObjectNode header(EventType type, String id, Instant occurredAt) {
    return NODES
        .objectNode()
        .put("id", id)
        .put("type", type.wireName())
        .put("occurred_at", InstantText.of(occurredAt)); // Instant.toString(), faster
  }

  private static void putIfPresent(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }
}
