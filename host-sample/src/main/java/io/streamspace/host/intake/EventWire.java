package io.streamspace.host.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.common.http.Json;
import io.streamspace.common.time.InstantText;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes events as the platform posts them to {@code /api/platform/events}, the format
 * {@link EventParser} reads: what the host keeps of an event (in the journal, or as a dead letter)
 * to deliver it again. One event has one form: user attributes sorted by name, decimals without
 * trailing zeros ({@code 4.50} is written {@code 4.5}) in plain notation, so that a redelivery of
 * the same event reads the same, whatever order or notation the platform used.
 *
 * <p>The text is written straight from the event, member by member (the journal writes every
 * event's text, so intake's hot path builds no tree); the tree forms ({@link #session} and the
 * others) read that text back, for the dead letters and the tests.
 */
public final class EventWire {

  // its own factory, so that no mapper's settings can change an event's form: decimals plain
  private static final JsonFactory TEXT =
      JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  /** Writes one event's members into an open object. */
  @FunctionalInterface
  private interface Members {
    void write(JsonGenerator json) throws IOException;
  }

  private EventWire() {}

  /** A {@code user.created} event's text; its attributes are members of {@code user} again. */
  public static String userCreatedText(UserEvent event) {
    // as a tree put them: the attributes sorted, then the named members, each in the place its
    // name first took
    Map<String, String> user = new LinkedHashMap<>(new TreeMap<>(event.attributes()));
    user.put("user_id", event.userId());
    putIfPresent(user, "email", event.email());
    putIfPresent(user, "name", event.displayName());
    return text(
        EventType.USER_CREATED,
        event.id(),
        event.occurredAt(),
        json -> {
          json.writeObjectFieldStart("user");
          for (Map.Entry<String, String> member : user.entrySet()) {
            json.writeStringField(member.getKey(), member.getValue());
          }
          json.writeEndObject();
        });
  }

  /** A session event's text, of the given type. */
  public static String sessionText(EventType type, SessionEvent event) {
    return text(
        type,
        event.id(),
        event.occurredAt(),
        json -> {
          json.writeObjectFieldStart("session");
          json.writeStringField("session_id", event.sessionId());
          json.writeStringField("user_id", event.userId());
          // absent when not given, so events of personal organizations keep their form (and hash)
          writeIfPresent(json, "org_id", event.orgId());
          writeIfPresent(json, "reason", event.reason()); // absent when not told, as before 0.4
          ResourceSize size = event.resources();
          if (size != null) {
            writeDecimal(json, "cpu_cores", size.cpuCores());
            writeDecimal(json, "memory_gb", size.memoryGb());
            writeDecimal(json, "storage_gb", size.storageGb());
            // absent when none is held, so events without held resources keep their form
            writeDecimals(json, "resources", size.resources());
          }
          // absent when not reported, so events without activity keep their form (and hash)
          SessionActivity activity = event.activity();
          if (activity != null) {
            json.writeStringField("activity", activity.state().wireName());
            writeDecimals(json, "used", activity.used());
          }
          json.writeEndObject();
        });
  }

  /** A {@code usage.reported} event's text. */
  public static String usageReportedText(UsageReport report) {
    return text(
        EventType.USAGE_REPORTED,
        report.id(),
        report.occurredAt(),
        json -> {
          json.writeObjectFieldStart("usage");
          json.writeStringField("user_id", report.userId());
          json.writeStringField("meter", report.meter());
          writeDecimal(json, "quantity", report.quantity());
          writeIfPresent(json, "session_id", report.sessionId());
          writeIfPresent(json, "org_id", report.orgId());
          json.writeEndObject();
        });
  }

  /**
   * An organization event's text: {@code org.created} carries {@code org} with what it tells of
   * the organization, {@code org.deleted} carries {@code org} with its id only, the membership
   * events carry {@code membership} (without a role when the member left).
   */
  public static String organizationText(OrganizationEvent event) {
    return text(
        EventType.of(event.type()),
        event.id(),
        event.occurredAt(),
        json -> {
          OrganizationEvent.Membership membership = event.membership();
          if (membership != null) {
            json.writeObjectFieldStart("membership");
            json.writeStringField("org_id", event.orgId());
            json.writeStringField("user_id", membership.userId());
            if (membership.role() != null) {
              json.writeStringField("role", membership.role().wireName());
            }
            json.writeEndObject();
            return;
          }
          json.writeObjectFieldStart("org");
          json.writeStringField("org_id", event.orgId());
          OrganizationEvent.Organization created = event.organization();
          if (created != null) {
            writeIfPresent(json, "name", created.name());
            json.writeStringField("owner_user_id", created.ownerUserId());
            writeIfPresent(json, "currency", created.currency());
            writeIfPresent(json, "plan", created.planId());
          }
          json.writeEndObject();
        });
  }

  /** {@link #userCreatedText} as a tree. */
  public static ObjectNode userCreated(UserEvent event) {
    return tree(userCreatedText(event));
  }

  /** {@link #sessionText} as a tree. */
  public static ObjectNode session(EventType type, SessionEvent event) {
    return tree(sessionText(type, event));
  }

  /** {@link #usageReportedText} as a tree. */
  public static ObjectNode usageReported(UsageReport report) {
    return tree(usageReportedText(report));
  }

  /** {@link #organizationText} as a tree. */
  public static ObjectNode organization(OrganizationEvent event) {
    return tree(organizationText(event));
  }

  /**
   * The value without trailing zeros, in plain notation ({@code 100}, not {@code 1E+2}): the
   * parser reads decimals this way too, so an event as intake parsed it equals the event read back
   * from its journaled body.
   */
  static BigDecimal canonical(BigDecimal value) {
    return new BigDecimal(value.stripTrailingZeros().toPlainString());
  }

  /** The header every event starts with, then its own members. */
  private static String text(EventType type, String id, Instant occurredAt, Members members) {
    SegmentedStringWriter text = new SegmentedStringWriter(TEXT._getBufferRecycler());
    try {
      try (JsonGenerator json = TEXT.createGenerator(text)) {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("type", type.wireName());
        json.writeStringField("occurred_at", InstantText.of(occurredAt)); // faster than toString
        members.write(json);
        json.writeEndObject();
      }
      return text.getAndClear();
    } catch (IOException e) {
      throw new UncheckedIOException("writing into memory does not fail", e);
    }
  }

  private static ObjectNode tree(String text) {
    // the exact mapper: decimals as written, never through a double
    return (ObjectNode) Json.parseOrNull(Json.MAPPER, text);
  }

  private static void writeDecimal(JsonGenerator json, String name, BigDecimal value)
      throws IOException {
    json.writeFieldName(name);
    json.writeNumber(canonical(value));
  }

  /** An object of decimals by name, absent when empty. */
  private static void writeDecimals(JsonGenerator json, String name, Map<String, BigDecimal> values)
      throws IOException {
    if (values.isEmpty()) {
      return;
    }
    json.writeObjectFieldStart(name);
    for (Map.Entry<String, BigDecimal> value : values.entrySet()) {
      writeDecimal(json, value.getKey(), value.getValue());
    }
    json.writeEndObject();
  }

  private static void writeIfPresent(JsonGenerator json, String name, String value)
      throws IOException {
    if (value != null) {
      json.writeStringField(name, value);
    }
  }

  private static void putIfPresent(Map<String, String> members, String name, String value) {
    if (value != null) {
      members.put(name, value);
    }
  }
}
