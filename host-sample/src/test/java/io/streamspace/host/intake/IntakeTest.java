package io.streamspace.host.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UserEvent;
import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IntakeTest extends HostTestBase {

  private static final String VALID_CREATED =
      "{\"id\":\"ok-1\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T10:00:00Z\","
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
    String session = "\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}";
    String at = "\"occurred_at\":\"2025-06-01T11:00:00Z\"";
    return Stream.of(
        Arguments.of("unknown type", "{\"id\":\"e\",\"type\":\"session.exploded\"," + at + "," + session + "}", "type"),
        Arguments.of("missing id", "{\"type\":\"session.created\"," + at + "," + session + "}", "id"),
        Arguments.of("blank id", "{\"id\":\" \",\"type\":\"session.created\"," + at + "," + session + "}", "id"),
        Arguments.of("id too long", "{\"id\":\"" + "x".repeat(201) + "\",\"type\":\"session.created\"," + at + "," + session + "}", "id"),
        Arguments.of("missing occurred_at", "{\"id\":\"e\",\"type\":\"session.created\"," + session + "}", "occurred_at"),
        Arguments.of("occurred_at not ISO", "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\"yesterday\"," + session + "}", "occurred_at"),
        Arguments.of("occurred_at 6 minutes ahead", "{\"id\":\"e\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T12:06:00Z\"," + session + "}", "occurred_at"),
        Arguments.of("missing user object", "{\"id\":\"e\",\"type\":\"user.created\"," + at + "}", "user"),
        Arguments.of("missing session object", "{\"id\":\"e\",\"type\":\"session.heartbeat\"," + at + "}", "session"),
        Arguments.of("missing user_id", "{\"id\":\"e\",\"type\":\"user.created\"," + at + ",\"user\":{\"email\":\"a@b\"}}", "user.user_id"),
        Arguments.of("missing session_id", "{\"id\":\"e\",\"type\":\"session.terminated\"," + at + ",\"session\":{\"user_id\":\"u\"}}", "session.session_id"),
        Arguments.of("negative cpu", "{\"id\":\"e\",\"type\":\"session.created\"," + at + "," + session.replace("\"cpu_cores\":1", "\"cpu_cores\":-1") + "}", "session.cpu_cores"),
        Arguments.of("absurd memory", "{\"id\":\"e\",\"type\":\"session.created\"," + at + "," + session.replace("\"memory_gb\":1", "\"memory_gb\":16385") + "}", "session.memory_gb"),
        Arguments.of("absurd storage", "{\"id\":\"e\",\"type\":\"session.created\"," + at + "," + session.replace("\"storage_gb\":1", "\"storage_gb\":1000001") + "}", "session.storage_gb"),
        Arguments.of("absurd cpu", "{\"id\":\"e\",\"type\":\"session.created\"," + at + "," + session.replace("\"cpu_cores\":1", "\"cpu_cores\":1025") + "}", "session.cpu_cores"),
        Arguments.of("size as string", "{\"id\":\"e\",\"type\":\"session.created\"," + at + "," + session.replace("\"cpu_cores\":1", "\"cpu_cores\":\"1\"") + "}", "session.cpu_cores"),
        Arguments.of("sizes missing on created", "{\"id\":\"e\",\"type\":\"session.created\"," + at + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\"}}", "session.cpu_cores"),
        Arguments.of("partial sizes on heartbeat", "{\"id\":\"e\",\"type\":\"session.heartbeat\"," + at + ",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"cpu_cores\":1}}", "session.memory_gb"),
        Arguments.of("event not an object", "42", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvents")
  void refusesWholeBatchNamingIndexAndField(String why, String badEvent, String field) {
    Response response = post("[" + VALID_CREATED + "," + badEvent + "]");

    assertEquals(400, response.status(), why);
    assertEquals("invalid_events", response.body().at("/error/code").asText());
    assertEquals("1 of 2 events are invalid; nothing was applied", response.body().at("/error/message").asText());
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
    String user = "{\"id\":\"u-1\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T09:00:00+02:00\","
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
  void acceptsHeartbeatWithoutSizes() {
    String heartbeat = "{\"id\":\"hb-1\",\"type\":\"session.heartbeat\",\"occurred_at\":\"2025-06-01T12:04:00Z\","
        + "\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\"}}";
    assertEquals(202, post(heartbeat).status());
    assertEquals(null, ((SessionEvent) plugin.events.get(0)).resources());
  }

  @Test
  void admissionAllowsWhenNoPluginDenies() {
    Response allowed = http.post("/api/platform/admission", platform,
        "{\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3}");
    assertEquals(200, allowed.status());
    assertTrue(allowed.body().get("allowed").asBoolean());
    Response bad = http.post("/api/platform/admission", platform, "{\"user_id\":\"u1\",\"cpu_cores\":-1,\"memory_gb\":2,\"storage_gb\":3}");
    assertEquals(400, bad.status());
    assertEquals("cpu_cores", bad.body().at("/error/field").asText());
  }
}
