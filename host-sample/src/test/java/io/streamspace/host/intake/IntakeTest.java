package io.streamspace.host.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IntakeTest extends HostTestBase {

  private static final String VALID_CREATED =
      "{\"id\":\"ok-1\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T10:00:00Z\","
          + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"cpu_cores\":2,\"memory_gb\":4.5,\"storage_gb\":10}}";

  /** Valid, under an id of its own: accepted once, it would be a duplicate for the others. */
  private static final String TRAILING_CREATED =
      "{\"id\":\"trailing-1\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T10:00:00Z\","
          + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"cpu_cores\":2,\"memory_gb\":4.5,\"storage_gb\":10}}";

  private String platform;

  @BeforeAll
  void platformToken() {
    platform = token("platform-1", "platform");
  }

  private Response post(String body) {
    return http.post("/api/platform/events", platform, body);
  }

  /** A bad event placed at index 1 behind a valid one, and the field the refusal must name. */
  static Stream<Arguments> badEvents() {
    String session =
        "\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}";
    String at = "\"occurred_at\":\"2025-06-01T11:00:00Z\"";
    return Stream.of(
        Arguments.of(
            "unknown type",
            "{\"id\":\"e\",\"type\":\"session.exploded\"," + at + "," + session + "}",
            "type"),
        Arguments.of(
            "missing id", "{\"type\":\"session.created\"," + at + "," + session + "}", "id"),
        Arguments.of(
            "blank id",
            "{\"id\":\" \",\"type\":\"session.created\"," + at + "," + session + "}",
            "id"),
        Arguments.of(
            "id too long",
            "{\"id\":\""
                + "x".repeat(201)
                + "\",\"type\":\"session.created\","
                + at
                + ","
                + session
                + "}",
            "id"),
        Arguments.of(
            "missing occurred_at",
            "{\"id\":\"e\",\"type\":\"session.created\"," + session + "}",
            "occurred_at"),
        Arguments.of(
            "occurred_at not ISO",
            "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\"yesterday\","
                + session
                + "}",
            "occurred_at"),
        Arguments.of(
            "occurred_at 6 minutes ahead",
            "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T12:06:00Z\","
                + session
                + "}",
            "occurred_at"),
        Arguments.of(
            "missing user object", "{\"id\":\"e\",\"type\":\"user.created\"," + at + "}", "user"),
        Arguments.of(
            "missing session object",
            "{\"id\":\"e\",\"type\":\"session.heartbeat\"," + at + "}",
            "session"),
        Arguments.of(
            "missing user_id",
            "{\"id\":\"e\",\"type\":\"user.created\"," + at + ",\"user\":{\"email\":\"a@b\"}}",
            "user.user_id"),
        Arguments.of(
            "missing session_id",
            "{\"id\":\"e\",\"type\":\"session.terminated\","
                + at
                + ",\"session\":{\"user_id\":\"u\"}}",
            "session.session_id"),
        Arguments.of(
            "a reason that is not a string",
            "{\"id\":\"e\",\"type\":\"session.terminated\","
                + at
                + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"reason\":5}}",
            "session.reason"),
        Arguments.of(
            "negative cpu",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ","
                + session.replace("\"cpu_cores\":1", "\"cpu_cores\":-1")
                + "}",
            "session.cpu_cores"),
        Arguments.of(
            "absurd memory",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ","
                + session.replace("\"memory_gb\":1", "\"memory_gb\":16385")
                + "}",
            "session.memory_gb"),
        Arguments.of(
            "absurd storage",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ","
                + session.replace("\"storage_gb\":1", "\"storage_gb\":1000001")
                + "}",
            "session.storage_gb"),
        Arguments.of(
            "absurd cpu",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ","
                + session.replace("\"cpu_cores\":1", "\"cpu_cores\":1025")
                + "}",
            "session.cpu_cores"),
        Arguments.of(
            "size as string",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ","
                + session.replace("\"cpu_cores\":1", "\"cpu_cores\":\"1\"")
                + "}",
            "session.cpu_cores"),
        Arguments.of(
            "sizes missing on created",
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\"}}",
            "session.cpu_cores"),
        Arguments.of(
            "partial sizes on heartbeat",
            "{\"id\":\"e\",\"type\":\"session.heartbeat\","
                + at
                + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1}}",
            "session.memory_gb"),
        Arguments.of("event not an object", "42", null));
  }

  /** A usage report at index 1 with one member of {@code usage} replaced, and the field named. */
  static Stream<Arguments> badUsageReports() {
    return Stream.of(
        Arguments.of("malformed meter", usageWith("\"meter\":\"GPU-hours\""), "usage.meter"),
        Arguments.of("meter missing", usageWith(null), "usage.meter"),
        Arguments.of("quantity missing", usageWith("\"quantity\":null"), "usage.quantity"),
        Arguments.of("negative quantity", usageWith("\"quantity\":-1"), "usage.quantity"),
        Arguments.of(
            "absurd quantity", usageWith("\"quantity\":1000000000.000001"), "usage.quantity"),
        Arguments.of(
            "quantity below a millionth", usageWith("\"quantity\":0.0000001"), "usage.quantity"),
        Arguments.of("quantity as string", usageWith("\"quantity\":\"3\""), "usage.quantity"),
        Arguments.of("user_id missing", usageWith("\"user_id\":null"), "usage.user_id"),
        Arguments.of("blank session_id", usageWith("\"session_id\":\" \""), "usage.session_id"),
        Arguments.of(
            "usage object missing",
            "{\"id\":\"e\",\"type\":\"usage.reported\",\"occurred_at\":\"2025-06-01T11:00:00Z\"}",
            "usage"));
  }

  /**
   * A report of 3 GB of bandwidth by u1 with {@code member} set (it replaces the member of that
   * name; null drops the meter).
   */
  private static String usageWith(String member) {
    Map<String, String> members = new java.util.LinkedHashMap<>();
    members.put("user_id", "\"user_id\":\"u1\"");
    members.put("meter", "\"meter\":\"bandwidth_gb\"");
    members.put("quantity", "\"quantity\":3");
    if (member == null) {
      members.remove("meter");
    } else {
      members.put(member.substring(1, member.indexOf('"', 1)), member);
    }
    return "{\"id\":\"e\",\"type\":\"usage.reported\",\"occurred_at\":\"2025-06-01T11:00:00Z\","
        + "\"usage\":{"
        + String.join(",", members.values())
        + "}}";
  }

  private static String usageReport(String id, String usage) {
    return "{\"id\":\""
        + id
        + "\",\"type\":\"usage.reported\",\"occurred_at\":\"2025-06-01T11:30:00Z\","
        + "\"usage\":"
        + usage
        + "}";
  }

  private static final String SESSION =
      "\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}";

  /** A session.created at 11:00 whose session object has {@code from} replaced by {@code to}. */
  private static String sessionWith(String from, String to) {
    return "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T11:00:00Z\","
        + SESSION.replace(from, to)
        + "}";
  }

  /** A session.created at the given time. */
  private static String sessionAt(String occurredAt) {
    return "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\""
        + occurredAt
        + "\","
        + SESSION
        + "}";
  }

  /** A user.created at 11:00 with the given user object members. */
  private static String userWith(String members) {
    return "{\"id\":\"e\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T11:00:00Z\",\"user\":{"
        + members
        + "}}";
  }

  /** Events that pass as JSON but the database could not store exactly (JSON escapes intended). */
  static Stream<Arguments> unstorableEvents() {
    return Stream.of(
        Arguments.of(
            "NUL in user_id",
            sessionWith("\"user_id\":\"u\"", "\"user_id\":\"u\\u0000\""),
            "session.user_id"),
        Arguments.of(
            "NUL in session_id",
            sessionWith("\"session_id\":\"s\"", "\"session_id\":\"\\u0000s\""),
            "session.session_id"),
        Arguments.of(
            "NUL in email", userWith("\"user_id\":\"u\",\"email\":\"a\\u0000@b\""), "user.email"),
        Arguments.of(
            "NUL in event id",
            sessionAt("2025-06-01T11:00:00Z").replace("\"id\":\"e\"", "\"id\":\"e\\u0000\""),
            "id"),
        Arguments.of(
            "NUL in name", userWith("\"user_id\":\"u\",\"name\":\"A\\u0000\""), "user.name"),
        Arguments.of(
            "NUL in an attribute",
            userWith("\"user_id\":\"u\",\"plan\":\"pro\\u0000\""),
            "user.plan"),
        Arguments.of(
            "NUL in an attribute name",
            userWith("\"user_id\":\"u\",\"pl\\u0000an\":\"pro\""),
            "user"),
        Arguments.of(
            "line break in user_id",
            sessionWith("\"user_id\":\"u\"", "\"user_id\":\"u\\n\""),
            "session.user_id"),
        Arguments.of(
            "right-to-left override in event id",
            sessionAt("2025-06-01T11:00:00Z").replace("\"id\":\"e\"", "\"id\":\"e\\u202Egpj\""),
            "id"),
        Arguments.of(
            "left-to-right embedding in user_id",
            sessionWith("\"user_id\":\"u\"", "\"user_id\":\"\\u202Au\""),
            "session.user_id"),
        Arguments.of(
            "first strong isolate in session_id",
            sessionWith("\"session_id\":\"s\"", "\"session_id\":\"s\\u2068\""),
            "session.session_id"),
        Arguments.of(
            "line separator in session_id",
            sessionWith("\"session_id\":\"s\"", "\"session_id\":\"s\\u2028x\""),
            "session.session_id"),
        Arguments.of(
            "paragraph separator in user_id", userWith("\"user_id\":\"u\\u2029\""), "user.user_id"),
        Arguments.of(
            "unpaired surrogate in name",
            userWith("\"user_id\":\"u\",\"name\":\"A\\ud800\""),
            "user.name"),
        Arguments.of(
            "occurred_at in year -5000", sessionAt("-5000-01-01T00:00:00Z"), "occurred_at"),
        Arguments.of(
            "occurred_at in year +999999999",
            sessionAt("+999999999-12-31T00:00:00Z"),
            "occurred_at"),
        Arguments.of(
            "occurred_at in nanoseconds",
            sessionAt("2025-06-01T11:00:00.123456789Z"),
            "occurred_at"),
        Arguments.of("occurred_at 36 days old", sessionAt("2025-04-26T11:59:59Z"), "occurred_at"),
        Arguments.of("occurred_at 1970-01-01", sessionAt("1970-01-01T00:00:00Z"), "occurred_at"),
        Arguments.of(
            "cpu_cores 1e-20000",
            sessionWith("\"cpu_cores\":1", "\"cpu_cores\":1e-20000"),
            "session.cpu_cores"),
        Arguments.of(
            "cpu_cores 1e308",
            sessionWith("\"cpu_cores\":1", "\"cpu_cores\":1e308"),
            "session.cpu_cores"),
        Arguments.of(
            "memory_gb with 7 decimals",
            sessionWith("\"memory_gb\":1", "\"memory_gb\":0.0000001"),
            "session.memory_gb"));
  }

  @Test
  void acceptsWhatTheDatabaseStoresExactly() {
    // the edges of each rule: 6 decimals, microseconds, 35 days old to the second, 5 minutes
    // ahead, tabs and line breaks in a name, an emoji (a surrogate pair) in an id
    String edge =
        "[{\"id\":\"edge-1\",\"type\":\"session.created\",\"occurred_at\":\"2025-04-27T12:00:00.123456Z\","
            + "\"session\":{\"session_id\":\"s-\\ud83d\\ude00\",\"user_id\":\"u1\",\"cpu_cores\":0.000001,\"memory_gb\":1.5000000,\"storage_gb\":1000000}},"
            + "{\"id\":\"edge-2\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T12:05:00Z\","
            + "\"user\":{\"user_id\":\"u1\",\"name\":\"A\\tB\\nC\"}}]";
    Response response = post(edge);

    assertEquals(202, response.status(), response.toString());
    SessionEvent session = (SessionEvent) plugin.events.get(0);
    assertEquals("s-\ud83d\ude00", session.sessionId());
    assertEquals("2025-04-27T12:00:00.123456Z", session.occurredAt().toString());
    assertEquals(new BigDecimal("0.000001"), session.resources().cpuCores());
    assertEquals("A\tB\nC", ((UserEvent) plugin.events.get(1)).displayName());
  }

  @Test
  void refusesAnEventOlderThanTheConfiguredMaximumAge() {
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(2));
    String event = VALID_CREATED.replace("2025-06-01T10:00:00Z", "2025-05-30T11:59:59Z");

    ApiException refused =
        assertThrows(ApiException.class, () -> parser.parse(event.getBytes(UTF_8)));
    assertEquals("occurred_at", refused.error().field());
    assertEquals(
        "is more than 2 days old (the host's maximum event age)",
        refused.details().get(0).message());
    assertEquals(1, parser.parse(event.replace("11:59:59", "12:00:00").getBytes(UTF_8)).size());
  }

  @Test
  void
      anEventKeptInTheWireFormatReadsBackAsTheSameEventWhateverItsAge_itsDecimalsWithoutTrailingZeros() {
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));
    UserEvent user =
        new UserEvent(
            "k-1",
            Instant.parse("2020-01-01T00:00:00.5Z"),
            "u1",
            null,
            "U One",
            Map.of("plan", "pro", "currency", "VND"));
    SessionEvent heartbeat =
        new SessionEvent(
            "k-2",
            Instant.parse("2020-01-01T01:00:00Z"),
            "s1",
            "u1",
            new ResourceSize(new BigDecimal("4.50"), new BigDecimal("0.000001"), BigDecimal.TEN));

    assertEquals(
        new PlatformEvent.UserCreated(user), parser.parseKept(EventWire.userCreated(user)));
    SessionEvent canonical =
        new SessionEvent(
            "k-2",
            heartbeat.occurredAt(),
            "s1",
            "u1",
            new ResourceSize(new BigDecimal("4.5"), new BigDecimal("0.000001"), BigDecimal.TEN));
    assertEquals(
        new PlatformEvent.SessionChanged(EventType.SESSION_HEARTBEAT, canonical),
        parser.parseKept(EventWire.session(EventType.SESSION_HEARTBEAT, heartbeat)));
  }

  @Test
  void oneEventHasOneWireForm_whateverTheOrderOfItsAttributesOrTheNotationOfItsDecimals() {
    Map<String, String> attributes = new java.util.LinkedHashMap<>();
    attributes.put("plan", "pro");
    attributes.put("currency", "VND");
    Map<String, String> reversed = new java.util.LinkedHashMap<>();
    reversed.put("currency", "VND");
    reversed.put("plan", "pro");
    Instant at = Instant.parse("2020-01-01T00:00:00Z");
    assertEquals(
        EventWire.userCreated(new UserEvent("k-1", at, "u1", null, "U", attributes)).toString(),
        EventWire.userCreated(new UserEvent("k-1", at, "u1", null, "U", reversed)).toString());
    ResourceSize written =
        new ResourceSize(new BigDecimal("4.50"), new BigDecimal("1E+2"), new BigDecimal("0.0"));
    ResourceSize plain =
        new ResourceSize(new BigDecimal("4.5"), new BigDecimal("100"), BigDecimal.ZERO);
    assertEquals(
        EventWire.session(EventType.SESSION_CREATED, new SessionEvent("k", at, "s", "u", plain))
            .toString(),
        EventWire.session(EventType.SESSION_CREATED, new SessionEvent("k", at, "s", "u", written))
            .toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        TRAILING_CREATED + " xyz",
        "[" + TRAILING_CREATED + "]]",
        TRAILING_CREATED + " {}"
      })
  void refusesTrailingGarbageAfterTheJson(String body) {
    Response response = post(body);

    assertEquals(400, response.status());
    assertEquals("invalid_json", response.body().at("/error/code").asText());
    assertTrue(plugin.events.isEmpty());
  }

  @Test
  void otherJsonBodiesRefuseTrailingGarbageToo() {
    Response admission =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3} xyz");
    Response token =
        http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"u9\",\"roles\":[\"user\"]}}");

    assertEquals(400, admission.status());
    assertEquals("invalid_json", admission.body().at("/error/code").asText());
    assertEquals(400, token.status());
    assertEquals("invalid_json", token.body().at("/error/code").asText());
  }

  /** Bad held resources ({@code session.resources}), each naming the member at fault. */
  static Stream<Arguments> badHeldResources() {
    String at = "\"occurred_at\":\"2025-06-01T11:00:00Z\"";
    String sizes =
        "\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1,\"memory_gb\":1,"
            + "\"storage_gb\":1";
    java.util.function.Function<String, String> created =
        held ->
            "{\"id\":\"e\",\"type\":\"session.created\","
                + at
                + ",\"session\":{"
                + sizes
                + ",\"resources\":"
                + held
                + "}}";
    return Stream.of(
        Arguments.of("resources not an object", created.apply("[1]"), "session.resources"),
        Arguments.of("resources a number", created.apply("2"), "session.resources"),
        Arguments.of("a key no meter id", created.apply("{\"GPU\":1}"), "session.resources"),
        Arguments.of(
            "a key too long", created.apply("{\"" + "g".repeat(41) + "\":1}"), "session.resources"),
        Arguments.of("a negative amount", created.apply("{\"gpu\":-1}"), "session.resources.gpu"),
        Arguments.of("a string amount", created.apply("{\"gpu\":\"1\"}"), "session.resources.gpu"),
        Arguments.of("a null amount", created.apply("{\"gpu\":null}"), "session.resources.gpu"),
        Arguments.of(
            "an absurd amount", created.apply("{\"gpu\":1000001}"), "session.resources.gpu"),
        Arguments.of(
            "seven decimals", created.apply("{\"gpu\":0.0000001}"), "session.resources.gpu"),
        Arguments.of(
            "resources on a heartbeat without sizes",
            "{\"id\":\"e\",\"type\":\"session.heartbeat\","
                + at
                + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"resources\":{\"gpu\":1}}}",
            "session.resources"));
  }

  /** Bad activity ({@code session.activity}, {@code session.used}), each naming its field. */
  static Stream<Arguments> badActivity() {
    java.util.function.Function<String, String> heartbeat =
        fields ->
            "{\"id\":\"e\",\"type\":\"session.heartbeat\","
                + "\"occurred_at\":\"2025-06-01T11:00:00Z\","
                + "\"session\":{\"session_id\":\"s\",\"user_id\":\"u\","
                + fields
                + "}}";
    return Stream.of(
        Arguments.of(
            "an unknown state", heartbeat.apply("\"activity\":\"asleep\""), "session.activity"),
        Arguments.of("a state not text", heartbeat.apply("\"activity\":1"), "session.activity"),
        Arguments.of(
            "used without activity", heartbeat.apply("\"used\":{\"cpu_cores\":1}"), "session.used"),
        Arguments.of(
            "used not an object",
            heartbeat.apply("\"activity\":\"idle\",\"used\":[1]"),
            "session.used"),
        Arguments.of(
            "a negative used figure",
            heartbeat.apply("\"activity\":\"idle\",\"used\":{\"memory_gb\":-1.1}"),
            "session.used.memory_gb"),
        Arguments.of(
            "a used figure as text",
            heartbeat.apply("\"activity\":\"idle\",\"used\":{\"memory_gb\":\"1\"}"),
            "session.used.memory_gb"),
        Arguments.of(
            "a resume that says idle",
            heartbeat
                .apply("\"activity\":\"idle\"")
                .replace("session.heartbeat", "session.resumed"),
            "session.activity"));
  }

  @Test
  void aSessionResumedReachesThePluginAsAHeartbeatWhoseActivityIsActive() {
    Response response =
        post(
            "[{\"id\":\"res-1\",\"type\":\"session.resumed\","
                + "\"occurred_at\":\"2025-06-01T11:00:00Z\",\"session\":{\"session_id\":\"s\","
                + "\"user_id\":\"u\"}}]");

    assertEquals(202, response.status(), response.toString());
    SessionEvent session = (SessionEvent) plugin.events.get(0);
    assertEquals(
        io.streamspace.plugin.api.event.SessionActivity.State.ACTIVE, session.activity().state());
    assertEquals(
        "{\"type\":\"session.resumed\",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\","
            + "\"activity\":\"active\"}}",
        "{\"type\":"
            + EventWire.session(EventType.SESSION_RESUMED, session).get("type")
            + ",\"session\":"
            + EventWire.session(EventType.SESSION_RESUMED, session).get("session")
            + "}");
  }

  @Test
  void aHeartbeatCarriesItsActivityAndWhatTheSessionUsedToThePlugin() {
    Response response =
        post(
            "[{\"id\":\"act-1\",\"type\":\"session.heartbeat\","
                + "\"occurred_at\":\"2025-06-01T11:00:00Z\",\"session\":{\"session_id\":\"s\","
                + "\"user_id\":\"u\",\"activity\":\"idle\","
                + "\"used\":{\"cpu_cores\":0.40,\"memory_gb\":1.1,\"gpu\":0}}}]");

    assertEquals(202, response.status(), response.toString());
    SessionEvent session = (SessionEvent) plugin.events.get(0);
    assertEquals(
        new io.streamspace.plugin.api.event.SessionActivity(
            io.streamspace.plugin.api.event.SessionActivity.State.IDLE,
            Map.of(
                "cpu_cores", new BigDecimal("0.4"),
                "memory_gb", new BigDecimal("1.1"),
                "gpu", new BigDecimal("0"))),
        session.activity());
    assertEquals(
        "{\"session_id\":\"s\",\"user_id\":\"u\",\"activity\":\"idle\","
            + "\"used\":{\"cpu_cores\":0.4,\"gpu\":0,\"memory_gb\":1.1}}",
        EventWire.session(EventType.SESSION_HEARTBEAT, session).get("session").toString(),
        "journaled in one form, read back as it was parsed");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "badEvents",
    "unstorableEvents",
    "badUsageReports",
    "badHeldResources",
    "badActivity"
  })
  void refusesWholeBatchNamingIndexAndField(String why, String badEvent, String field) {
    Response response = post("[" + VALID_CREATED + "," + badEvent + "]");

    assertEquals(400, response.status(), why);
    assertEquals("invalid_events", response.body().at("/error/code").asText());
    assertEquals(
        "1 of 2 events are invalid; nothing was applied",
        response.body().at("/error/message").asText());
    JsonNode detail = response.body().at("/error/details/0");
    assertEquals(1, detail.get("index").asInt());
    if (field != null) {
      assertEquals(field, detail.get("field").asText());
    }
    assertTrue(plugin.events.isEmpty(), "nothing may be dispatched");
  }

  @Test
  void refusesBadJson() {
    Response response = post("[{\"id\":");
    assertEquals(400, response.status());
    assertEquals("invalid_json", response.body().at("/error/code").asText());
    assertTrue(plugin.events.isEmpty());
  }

  @Test
  void refusesMoreThanTenThousandEvents() {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < 10_001; i++) {
      body.append(i == 0 ? "" : ",").append(VALID_CREATED.replace("ok-1", "big-" + i));
    }
    Response response = post(body.append(']').toString());
    assertEquals(413, response.status());
    assertEquals("too_many_events", response.body().at("/error/code").asText());
    assertTrue(plugin.events.isEmpty());
  }

  @Test
  void dispatchesTypedEventsWithExactSizes() {
    String user =
        "{\"id\":\"u-1\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T09:00:00+02:00\","
            + "\"user\":{\"user_id\":\"u1\",\"email\":\"u1@example.com\",\"name\":\"U One\",\"plan\":\"pro\"}}";
    Response response = post("[" + user + "," + VALID_CREATED + "]");

    assertEquals(202, response.status());
    assertEquals(2, response.body().get("accepted").asInt());
    UserEvent userEvent = (UserEvent) plugin.events.get(0);
    assertEquals("u1", userEvent.userId());
    assertEquals("U One", userEvent.displayName());
    assertEquals("pro", userEvent.attributes().get("plan"));
    assertEquals("2025-06-01T07:00:00Z", userEvent.occurredAt().toString());
    SessionEvent session = (SessionEvent) plugin.events.get(1);
    assertEquals(new BigDecimal("4.5"), session.resources().memoryGb());
    assertEquals(0, new BigDecimal("2").compareTo(session.resources().cpuCores()));
  }

  @Test
  void ignoresDuplicateIds() {
    String event = VALID_CREATED.replace("ok-1", "dup-1");
    assertEquals(1, post(event).body().get("accepted").asInt());
    Response again = post("[" + event + "," + event + "]");

    assertEquals(202, again.status());
    assertEquals(0, again.body().get("accepted").asInt());
    assertEquals(2, again.body().get("duplicates").asInt());
    assertEquals(1, plugin.events.size());
  }

  @Test
  void anIdSentAgainWithAnotherBody_isReportedAsAConflict_andNotApplied() {
    String event = VALID_CREATED.replace("ok-1", "conflict-1");
    assertEquals(1, post(event).body().get("accepted").asInt());
    // the same again, but with 4.50 GB: the same event, written otherwise
    assertEquals(1, post(event.replace("4.5", "4.50")).body().get("duplicates").asInt());
    Response other = post(event.replace("\"cpu_cores\":2", "\"cpu_cores\":8"));

    assertEquals(202, other.status());
    assertEquals(0, other.body().get("accepted").asInt());
    assertEquals(0, other.body().get("duplicates").asInt());
    JsonNode conflict = other.body().get("conflicts").get(0);
    assertEquals(0, conflict.get("index").asInt());
    assertEquals("conflict-1", conflict.get("id").asText());
    assertEquals(1, plugin.events.size(), "only the first body reached the plugin");
    assertEquals(
        0,
        new BigDecimal("2")
            .compareTo(((SessionEvent) plugin.events.get(0)).resources().cpuCores()));
  }

  @Test
  void dispatchesUsageReportsWithTheirExactQuantity_andASessionOnlyWhenGiven() {
    Response response =
        post(
            "["
                + usageReport(
                    "use-1",
                    "{\"user_id\":\"u1\",\"meter\":\"bandwidth_gb\",\"quantity\":1234.000001,"
                        + "\"session_id\":\"s1\"}")
                + ","
                + usageReport(
                    "use-2", "{\"user_id\":\"u1\",\"meter\":\"ai_queries\",\"quantity\":0}")
                + "]");

    assertEquals(202, response.status());
    Instant at = Instant.parse("2025-06-01T11:30:00Z");
    assertEquals(
        List.of(
            new UsageReport("use-1", at, "u1", "bandwidth_gb", new BigDecimal("1234.000001"), "s1"),
            new UsageReport("use-2", at, "u1", "ai_queries", new BigDecimal("0"), null)),
        plugin.events);
  }

  @Test
  void aUsageReportSentAgain_isADuplicate_evenWrittenWithTrailingZeros() {
    String report =
        usageReport(
            "use-dup", "{\"user_id\":\"u1\",\"meter\":\"transcoding_minutes\",\"quantity\":12.5}");
    assertEquals(1, post(report).body().get("accepted").asInt());
    Response again = post(report.replace("12.5", "12.50"));

    assertEquals(202, again.status());
    assertEquals(1, again.body().get("duplicates").asInt());
    assertEquals(1, plugin.events.size());
  }

  @Test
  void aUsageReportKeptInTheWireFormatReadsBackAsTheSameReport_itsQuantityWithoutTrailingZeros() {
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));
    Instant at = Instant.parse("2020-01-01T00:00:00Z");
    UsageReport written =
        new UsageReport("k-3", at, "u1", "ai_queries", new BigDecimal("1.2E+3"), null);

    assertEquals(
        "{\"user_id\":\"u1\",\"meter\":\"ai_queries\",\"quantity\":1200}",
        EventWire.usageReported(written).get("usage").toString());
    assertEquals(
        new PlatformEvent.UsageReported(
            new UsageReport("k-3", at, "u1", "ai_queries", new BigDecimal("1200"), null)),
        parser.parseKept(EventWire.usageReported(written)));
  }

  @Test
  void dispatchesHeldResources_inTheirCanonicalForm_andAHeartbeatsResize() {
    String created =
        VALID_CREATED
            .replace("ok-1", "held-1")
            .replace(
                "\"storage_gb\":10}", "\"storage_gb\":10,\"resources\":{\"vgpu\":0,\"gpu\":1.50}}");
    String resized =
        "{\"id\":\"held-2\",\"type\":\"session.heartbeat\",\"occurred_at\":\"2025-06-01T10:30:00Z\","
            + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"cpu_cores\":2,\"memory_gb\":4.5,"
            + "\"storage_gb\":10,\"resources\":{\"gpu\":2}}}";
    Response response = post("[" + created + "," + resized + "]");

    assertEquals(202, response.status());
    SessionEvent first = (SessionEvent) plugin.events.get(0);
    assertEquals(
        Map.of("gpu", new BigDecimal("1.5"), "vgpu", new BigDecimal("0")),
        first.resources().resources());
    assertEquals(List.of("gpu", "vgpu"), List.copyOf(first.resources().resources().keySet()));
    assertEquals(
        Map.of("gpu", new BigDecimal("2")),
        ((SessionEvent) plugin.events.get(1)).resources().resources());
    // the same event again with 1.5 written otherwise is a duplicate: one canonical form
    Response again = post(created.replace("1.50", "1.5"));
    assertEquals(1, again.body().get("duplicates").asInt());
  }

  @Test
  void heldResourcesKeptInTheWireFormatReadBack_andAnEventKeptBeforeThemReadsNone() {
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));
    Instant at = Instant.parse("2020-01-01T00:00:00Z");
    SessionEvent written =
        new SessionEvent(
            "k-held",
            at,
            "s1",
            "u1",
            new ResourceSize(
                BigDecimal.ONE,
                BigDecimal.TEN,
                BigDecimal.ZERO,
                Map.of("gpu", new BigDecimal("2.000"))),
            null);
    JsonNode wire = EventWire.session(EventType.SESSION_CREATED, written);

    assertEquals("{\"gpu\":2}", wire.at("/session/resources").toString());
    SessionEvent read = ((PlatformEvent.SessionChanged) parser.parseKept(wire)).event();
    assertEquals(Map.of("gpu", new BigDecimal("2")), read.resources().resources());
    // journaled before held resources existed: no resources member, an empty map
    com.fasterxml.jackson.databind.node.ObjectNode old =
        EventWire.session(
            EventType.SESSION_CREATED,
            new SessionEvent(
                "k-old",
                at,
                "s1",
                "u1",
                new ResourceSize(BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ZERO),
                null));
    assertTrue(old.at("/session/resources").isMissingNode());
    assertEquals(
        Map.of(),
        ((PlatformEvent.SessionChanged) parser.parseKept(old)).event().resources().resources());
  }

  @Test
  void aTerminatesReasonIsDispatchedAsTold_evenOneBillingDoesNotKnow_andKeptInItsWireForm() {
    String terminated =
        "{\"id\":\"t-1\",\"type\":\"session.terminated\",\"occurred_at\":\"2025-06-01T10:00:00Z\","
            + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"reason\":\"gpu_melted\"}}";
    Response response = post("[" + terminated + "]");

    assertEquals(202, response.status(), response.body().toString());
    SessionEvent event = (SessionEvent) plugin.events.get(0);
    assertEquals("gpu_melted", event.reason());
    JsonNode wire = EventWire.session(EventType.SESSION_TERMINATED, event);
    assertEquals("gpu_melted", wire.at("/session/reason").asText());
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));
    assertEquals(
        event, ((PlatformEvent.SessionChanged) parser.parseKept(wire)).event(), "read back");
  }

  @Test
  void admissionRefusesBadHeldResources_namingTheMember() {
    Response bad =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3,"
                + "\"resources\":{\"gpu\":-1}}");
    assertEquals(400, bad.status());
    assertEquals("resources.gpu", bad.body().at("/error/field").asText());
    Response allowed =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3,"
                + "\"resources\":{\"gpu\":1}}");
    assertEquals(200, allowed.status());
  }

  @Test
  void acceptsHeartbeatWithoutSizes() {
    String heartbeat =
        "{\"id\":\"hb-1\",\"type\":\"session.heartbeat\",\"occurred_at\":\"2025-06-01T12:04:00Z\","
            + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\"}}";
    assertEquals(202, post(heartbeat).status());
    assertEquals(null, ((SessionEvent) plugin.events.get(0)).resources());
  }

  @Test
  void admissionAllowsWhenNoPluginDenies() {
    Response allowed =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3}");
    assertEquals(200, allowed.status());
    assertTrue(allowed.body().get("allowed").asBoolean());
    Response bad =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u1\",\"cpu_cores\":-1,\"memory_gb\":2,\"storage_gb\":3}");
    assertEquals(400, bad.status());
    assertEquals("cpu_cores", bad.body().at("/error/field").asText());
  }
}
