package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.ApiException.Detail;
import io.streamspace.common.time.IsoInstants;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses a request body of platform events once and validates every event. A body with any
 * invalid event is refused whole, naming each problem by index and field, so nothing of it is
 * applied. What it accepts, the database can store exactly (see {@link FieldReader}); an
 * {@code occurred_at} is an instant to the microsecond (what {@code timestamptz} keeps) in years
 * 1 to 9999, at most {@link #MAX_CLOCK_SKEW} ahead and at most the maximum event age behind the
 * host's clock.
 */
final class EventParser {

  static final int MAX_EVENTS = 10_000;

  /** Platform clocks drift; anything further ahead than this is a client bug. */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /**
   * The instants every layer writes and reads back alike: four-digit ISO years (PostgreSQL reads
   * neither year 0 nor five-digit years as {@link Instant#toString()} writes them).
   */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final Set<String> USER_FIELDS = Set.of("user_id", "email", "name");

  /** The counted meters the platform reports usage of, in the order an answer lists them. */

  /** A unit mistake (bytes sent as GB), not usage: no single report is anywhere near it. */
  static final BigDecimal MAX_QUANTITY = BigDecimal.TEN.pow(9);

  private static final String TYPES =
      Arrays.stream(EventType.values()).map(EventType::wireName).collect(Collectors.joining(", "));

  private final ObjectMapper mapper;
  private final Clock clock;
  private final Duration maxEventAge;

  /** @param maxEventAge how far behind the clock an event may be: older ones are refused */
  EventParser(ObjectMapper mapper, Clock clock, Duration maxEventAge) {
    this.mapper = mapper;
    this.clock = clock;
    this.maxEventAge = maxEventAge;
  }

  /**
   * @throws ApiException 400 {@code invalid_json} or {@code invalid_events}, 413
   *     {@code too_many_events}
   */
  List<PlatformEvent> parse(byte[] body) {
    JsonNode root = readJson(body);
    List<JsonNode> nodes = new ArrayList<>();
    if (root.isArray()) {
      if (root.size() > MAX_EVENTS) {
        throw new ApiException(
            HttpStatus.CONTENT_TOO_LARGE,
            "too_many_events",
            "a batch holds at most " + MAX_EVENTS + " events, got " + root.size());
      }
      root.forEach(nodes::add);
    } else if (root.isObject()) {
      nodes.add(root);
    } else {
      throw ApiException.badRequest(
          "invalid_json", "body must be an event object or an array of events", null);
    }
    Instant now = clock.instant();
    TimeWindow window = new TimeWindow(now.minus(maxEventAge), now.plus(MAX_CLOCK_SKEW));
    List<Detail> problems = new ArrayList<>();
    List<PlatformEvent> events = new ArrayList<>(nodes.size());
    Set<Integer> badIndexes = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      int before = problems.size();
      PlatformEvent event = parseEvent(nodes.get(i), new FieldReader(i, problems), window);
      if (problems.size() > before) {
        badIndexes.add(i);
      } else {
        events.add(event);
      }
    }
    if (!badIndexes.isEmpty()) {
      throw ApiException.invalid(
          "invalid_events",
          badIndexes.size() + " of " + nodes.size() + " events are invalid; nothing was applied",
          problems);
    }
    return events;
  }

  /**
   * An event the host kept earlier (a dead letter, written by {@link EventWire}), validated as at
   * intake but of any age: it was accepted when it arrived.
   *
   * @throws IllegalArgumentException when it is not a valid event
   */
  PlatformEvent parseKept(JsonNode node) {
    List<Detail> problems = new ArrayList<>();
    PlatformEvent event =
        parseEvent(node, new FieldReader(0, problems), new TimeWindow(EARLIEST, LATEST));
    if (!problems.isEmpty()) { // the event may be built without a bad optional part
      throw new IllegalArgumentException(
          problems.stream()
              .map(problem -> problem.field() + " " + problem.message())
              .collect(Collectors.joining("; ")));
    }
    return event;
  }

  private JsonNode readJson(byte[] body) {
    try {
      JsonNode root = mapper.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw ApiException.badRequest("invalid_json", "body is empty", null);
      }
      return root;
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_json", "body is not valid JSON", null);
    }
  }

  /** The instants an event may have occurred at, inclusive. */
  private record TimeWindow(Instant earliest, Instant latest) {}

  /** The event, or null when the reader noted a problem. */
  private PlatformEvent parseEvent(JsonNode node, FieldReader reader, TimeWindow window) {
    if (!node.isObject()) {
      reader.problem(null, "event must be a JSON object");
      return null;
    }
    String id = reader.requiredId(node, "", "id");
    Instant occurredAt = occurredAt(node, reader, window);
    JsonNode typeNode = node.get("type");
    EventType type = typeNode == null ? null : EventType.fromWire(typeNode.asText()).orElse(null);
    if (type == null) {
      reader.problem("type", "must be one of " + TYPES);
      return null;
    }
    if (type == EventType.USER_CREATED) {
      UserEvent user = userEvent(node, reader, id, occurredAt);
      return user == null ? null : new PlatformEvent.UserCreated(user);
    }
    if (type.organizationType().isPresent()) {
      OrganizationEvent organization =
          OrganizationEvents.read(node, reader, id, occurredAt, type.organizationType().get());
      return organization == null ? null : new PlatformEvent.OrganizationChanged(organization);
    }
    if (type == EventType.USAGE_REPORTED) {
      UsageReport report = usageReport(node, reader, id, occurredAt);
      return report == null ? null : new PlatformEvent.UsageReported(report);
    }
    SessionEvent session = sessionEvent(node, reader, id, occurredAt, type);
    return session == null ? null : new PlatformEvent.SessionChanged(type, session);
  }

  private Instant occurredAt(JsonNode node, FieldReader reader, TimeWindow window) {
    JsonNode value = node.get("occurred_at");
    if (value == null || !value.isTextual()) {
      reader.problem("occurred_at", "is required as an ISO-8601 instant");
      return null;
    }
    Instant instant;
    try {
      instant = IsoInstants.parse(value.asText());
    } catch (DateTimeParseException e) {
      reader.problem("occurred_at", "must be an ISO-8601 instant such as 2025-01-31T12:00:00Z");
      return null;
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      reader.problem("occurred_at", "must be in the years 0001 to 9999");
      return null;
    }
    if (instant.getNano() % 1_000 != 0) {
      reader.problem("occurred_at", "must have at most 6 fractional digits (microseconds)");
      return null;
    }
    if (instant.isAfter(window.latest())) {
      reader.problem(
          "occurred_at", "is more than " + MAX_CLOCK_SKEW.toMinutes() + " minutes in the future");
      return null;
    }
    if (instant.isBefore(window.earliest())) {
      reader.problem(
          "occurred_at",
          "is more than " + maxEventAge.toDays() + " days old (the host's maximum event age)");
      return null;
    }
    return instant;
  }

  private UserEvent userEvent(JsonNode node, FieldReader reader, String id, Instant occurredAt) {
    JsonNode user = reader.requiredObject(node, "user");
    if (user == null) {
      return null;
    }
    String userId = reader.requiredId(user, "user.", "user_id");
    String email = reader.optionalSingleLine(user, "user.", "email");
    String name = reader.optionalString(user, "user.", "name");
    Map<String, String> attributes = new HashMap<>();
    for (Iterator<String> names = user.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!USER_FIELDS.contains(field) && reader.storableName("user", field)) {
        String value = reader.optionalString(user, "user.", field);
        if (value != null) {
          attributes.put(field, value);
        }
      }
    }
    if (id == null || occurredAt == null || userId == null) {
      return null;
    }
    return new UserEvent(id, occurredAt, userId, email, name, attributes);
  }

  private SessionEvent sessionEvent(
      JsonNode node, FieldReader reader, String id, Instant occurredAt, EventType type) {
    JsonNode session = reader.requiredObject(node, "session");
    if (session == null) {
      return null;
    }
    String sessionId = reader.requiredId(session, "session.", "session_id");
    String userId = reader.requiredId(session, "session.", "user_id");
    ResourceSize sizes = reader.sizes(session, "session.", type == EventType.SESSION_CREATED);
    String orgId = reader.optionalId(session, "session.", "org_id");
    // why it ended: any word of the platform's (billing knows some), kept as told; only a
    // terminate tells it, on another event it is not read
    String reason =
        type == EventType.SESSION_TERMINATED
            ? reader.optionalId(session, "session.", "reason")
            : null;
    SessionActivity activity = reader.activity(session, "session.");
    if (type == EventType.SESSION_RESUMED) {
      // the user is back: active, whether or not the platform says so
      if (activity == null && session.get("activity") == null) {
        activity = new SessionActivity(SessionActivity.State.ACTIVE, Map.of());
      } else if (activity != null && activity.state() != SessionActivity.State.ACTIVE) {
        reader.problem("session.activity", "must be active (or absent) on session.resumed");
        return null;
      }
    }
    if (id == null || occurredAt == null || sessionId == null || userId == null) {
      return null;
    }
    return new SessionEvent(id, occurredAt, sessionId, userId, sizes, orgId, reason, activity);
  }

  private UsageReport usageReport(
      JsonNode node, FieldReader reader, String id, Instant occurredAt) {
    JsonNode usage = reader.requiredObject(node, "usage");
    if (usage == null) {
      return null;
    }
    String userId = reader.requiredId(usage, "usage.", "user_id");
    String meter = reader.requiredId(usage, "usage.", "meter");
    // the built-in meters or one a plugin's config adds (gpu_minutes): the plugin counts those
    // it knows, so the host only checks the id's form
    if (meter != null && !UsageReport.METER_ID.matcher(meter).matches()) {
      reader.problem(
          "usage.meter",
          "must be a meter id (1 to 40 lower case letters, digits or underscores, a letter"
              + " first): "
              + String.join(", ", UsageReport.METERS)
              + " or a meter the billing config adds");
      meter = null;
    }
    BigDecimal quantity = reader.requiredDecimal(usage, "usage.", "quantity", MAX_QUANTITY);
    String sessionId = reader.optionalId(usage, "usage.", "session_id");
    String orgId = reader.optionalId(usage, "usage.", "org_id");
    if (id == null || occurredAt == null || userId == null || meter == null || quantity == null) {
      return null;
    }
    return new UsageReport(id, occurredAt, userId, meter, quantity, sessionId, orgId);
  }
}
