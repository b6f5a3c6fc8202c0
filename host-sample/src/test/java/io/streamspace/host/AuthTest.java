package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import org.junit.jupiter.api.Test;

class AuthTest extends HostTestBase {

  private static final String TOKEN_BODY = "{\"user_id\":\"carol\",\"roles\":[\"user\"]}";

  @Test
  void refusesRequestWithoutToken() {
    Response response = http.post("/api/admin/tokens", null, TOKEN_BODY);
    assertEquals(401, response.status());
    assertEquals("unauthorized", response.body().at("/error/code").asText());
  }

  @Test
  void refusesUnknownToken() {
    Response response = http.get("/api/admin/plugins", "not-a-token");
    assertEquals(401, response.status());
    assertEquals("invalid_token", response.body().at("/error/code").asText());
  }

  @Test
  void refusesCallerWithoutRole() {
    String userToken = token("dave", "user");
    assertEquals(403, http.post("/api/admin/tokens", userToken, TOKEN_BODY).status());
    assertEquals(403, http.post("/api/platform/events", userToken, "[]").status());
  }

  @Test
  void adminIssuesWorkingToken() {
    Response created = http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"pat\",\"roles\":[\"platform\"]}");
    assertEquals(201, created.status());
    assertEquals("pat", created.body().get("user_id").asText());
    assertEquals("platform", created.body().at("/roles/0").asText());
    String token = created.body().get("token").asText();
    assertEquals(202, http.post("/api/platform/events", token, "[]").status());
    assertEquals(403, http.get("/api/admin/plugins", token).status());
  }

  @Test
  void refusesUnknownRoleAndMissingUser() {
    Response badRole = http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"x\",\"roles\":[\"root\"]}");
    assertEquals(400, badRole.status());
    assertEquals("roles", badRole.body().at("/error/field").asText());
    Response noUser = http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"roles\":[\"user\"]}");
    assertEquals(400, noUser.status());
    assertEquals("user_id", noUser.body().at("/error/field").asText());
  }

  @Test
  void healthNeedsNoToken() {
    Response health = http.get("/api/health", null);
    assertEquals(200, health.status());
    assertEquals("rec", health.body().at("/plugins/0/id").asText());
    assertEquals("started", health.body().at("/plugins/0/state").asText());
  }
}
