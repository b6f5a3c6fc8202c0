package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host's errors have the one shape plugins' have: {"error":{"code","message","field"?}}. */
class ErrorAnswersTest extends HostTestBase {

  @Test
  void anErrorWithoutAFieldAtFaultLeavesTheMemberOut() {
    Response unknown = http.get("/api/no-such-endpoint", null);
    Response failed = http.get("/api/plugins/rec/boom", null);

    assertEquals(404, unknown.status());
    assertEquals(Optional.of("application/json"), unknown.header("Content-Type"));
    assertEquals(
        "{\"error\":{\"code\":\"not_found\","
            + "\"message\":\"Endpoint GET /api/no-such-endpoint not found\"}}",
        unknown.body().toString());
    assertEquals(500, failed.status());
    assertEquals(
        "{\"error\":{\"code\":\"internal_error\",\"message\":\"the plugin failed to answer\"}}",
        failed.body().toString());
  }

  @Test
  void aRefusedBatchNamesItsFirstFieldAndListsEveryProblemAfterIt() {
    String platform = token("platform-errors", "platform");
    String withoutTime =
        "{\"id\":\"e-1\",\"type\":\"session.created\",\"session\":{\"session_id\":\"s1\","
            + "\"user_id\":\"u1\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}}";

    JsonNode error =
        http.post("/api/platform/events", platform, "[" + withoutTime + "]")
            .expect(400)
            .get("error");

    assertEquals(List.of("code", "message", "field", "details"), names(error));
    assertEquals("occurred_at", error.get("field").asText());
    JsonNode detail = error.get("details").get(0);
    assertEquals(List.of("index", "field", "message"), names(detail));
    assertEquals(0, detail.get("index").asInt());
    assertEquals("occurred_at", detail.get("field").asText());
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
