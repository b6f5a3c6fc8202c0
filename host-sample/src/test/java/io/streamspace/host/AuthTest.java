package io.streamspace.host;

import static io.streamspace.host.support.TokenHashes.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import java.time.Duration;
import java.util.Map;
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
    Response created =
        http.post(
            "/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"pat\",\"roles\":[\"platform\"]}");
    assertEquals(201, created.status());
    assertEquals("pat", created.body().get("user_id").asText());
    assertEquals("platform", created.body().at("/roles/0").asText());
    String token = created.body().get("token").asText();
    assertEquals(202, http.post("/api/platform/events", token, "[]").status());
    assertEquals(403, http.get("/api/admin/plugins", token).status());
  }

  @Test
  void refusesUnknownRoleAndMissingUser() {
    Response badRole =
        http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"x\",\"roles\":[\"root\"]}");
    assertEquals(400, badRole.status());
    assertEquals("roles", badRole.body().at("/error/field").asText());
    Response noUser = http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"roles\":[\"user\"]}");
    assertEquals(400, noUser.status());
    assertEquals("user_id", noUser.body().at("/error/field").asText());
  }

  /**
   * Issue 26, point 4: a host token's user id holds no control character either; issue 51: nor a
   * bidirectional control or a line separator.
   */
  @Test
  void aTokenForAUserIdHoldingAControlCharacterIsRefusedNamingUserId() {
    for (String id :
        new String[] {
          "a\\u0000b",
          "alice\\nroot",
          "x\\u007f",
          "x\\u0085",
          "nimda\\u202e",
          "a\\u2066b",
          "a\\u2028b"
        }) {
      Response refused =
          http.post(
              "/api/admin/tokens",
              ADMIN_TOKEN,
              "{\"user_id\":\"" + id + "\",\"roles\":[\"user\"]}");
      assertEquals(400, refused.status(), id);
      assertEquals("user_id", refused.body().at("/error/field").asText(), id);
    }
  }

  @Test
  void healthNeedsNoToken() {
    Response health = http.get("/api/health", null);
    assertEquals(200, health.status());
    assertEquals("rec", health.body().at("/plugins/0/id").asText());
    assertEquals("started", health.body().at("/plugins/0/state").asText());
  }

  @Test
  void adminListsTokensWithIdsTimesAndSourceButNeverTheirSecret() {
    String expiresAt = NOW.plus(Duration.ofDays(7)).toString();
    JsonNode created =
        http.post(
                "/api/admin/tokens",
                ADMIN_TOKEN,
                "{\"user_id\":\"fay\",\"roles\":[\"user\"],\"expires_at\":\"" + expiresAt + "\"}")
            .expect(201);
    String token = created.get("token").asText();
    long id = created.get("id").asLong();
    assertEquals(NOW.toString(), created.get("created_at").asText());
    assertEquals(expiresAt, created.get("expires_at").asText());

    Response list = http.get("/api/admin/tokens", ADMIN_TOKEN);
    JsonNode fay = tokenById(list.expect(200), id);
    assertEquals("fay", fay.get("user_id").asText());
    assertEquals("user", fay.at("/roles/0").asText());
    assertEquals("issued", fay.get("source").asText());
    assertEquals(NOW.toString(), fay.get("created_at").asText());
    assertEquals(expiresAt, fay.get("expires_at").asText());
    assertTrue(fay.get("last_used_at").isNull());
    assertTrue(fay.get("revoked_at").isNull());
    assertFalse(fay.has("token"));
    assertFalse(list.body().toString().contains(token), "never the secret");
    assertFalse(list.body().toString().contains(sha256(token)), "nor its hash");
    assertFalse(list.body().toString().contains(sha256(ADMIN_TOKEN)));
    assertEquals(
        "environment", list.body().at("/tokens/0/source").asText(), "BILLING_ADMIN_TOKEN's");
  }

  @Test
  void aRevokedTokenAnswers401AtOnce() {
    Issued issued = issue(TOKEN_BODY);
    assertEquals(200, statusAs(issued.token()));

    assertEquals(204, http.delete("/api/admin/tokens/" + issued.id(), ADMIN_TOKEN).status());

    Response refused = http.get("/api/plugins/rec/echo/x", issued.token());
    assertEquals(401, refused.status());
    assertEquals("invalid_token", refused.body().at("/error/code").asText());
    JsonNode listed =
        tokenById(http.get("/api/admin/tokens", ADMIN_TOKEN).expect(200), issued.id());
    assertEquals(NOW.toString(), listed.get("revoked_at").asText());
    assertEquals(
        204, http.delete("/api/admin/tokens/" + issued.id(), ADMIN_TOKEN).status(), "idempotent");
  }

  @Test
  void revokingAnUnknownOrNonNumericIdIs404() {
    assertEquals(404, http.delete("/api/admin/tokens/999999", ADMIN_TOKEN).status());
    assertEquals(404, http.delete("/api/admin/tokens/abc", ADMIN_TOKEN).status());
    assertEquals(
        404, http.delete("/api/admin/tokens/%EF%BC%91", ADMIN_TOKEN).status(), "a fullwidth 1");
    assertEquals(
        404, http.delete("/api/admin/tokens/99999999999999999999999", ADMIN_TOKEN).status());
    assertEquals(403, http.delete("/api/admin/tokens/1", token("gus", "user")).status());
  }

  @Test
  void anExpiredTokenAnswers401() {
    String token =
        issue(
                "{\"user_id\":\"hal\",\"roles\":[\"user\"],\"expires_at\":\""
                    + NOW.plusSeconds(3600)
                    + "\"}")
            .token();
    assertEquals(200, statusAs(token));

    clock.advance(Duration.ofSeconds(3599));
    assertEquals(200, statusAs(token));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(401, statusAs(token));
  }

  @Test
  void expiresAtMustBeAFutureInstant_namedWhenRefused_andNothingIsStored() {
    int before = http.get("/api/admin/tokens", ADMIN_TOKEN).expect(200).get("tokens").size();
    for (Object bad :
        new Object[] {
          NOW.toString(),
          NOW.minusSeconds(1).toString(),
          "tomorrow",
          "2099-01-01",
          "+999999999-12-31T00:00:00Z",
          1893456000,
          true
        }) {
      Response refused =
          http.post(
              "/api/admin/tokens",
              ADMIN_TOKEN,
              HostClient.json(
                  Map.of("user_id", "ivy", "roles", new String[] {"user"}, "expires_at", bad)));
      assertEquals(400, refused.status(), bad + ": " + refused);
      assertEquals("expires_at", refused.body().at("/error/field").asText(), bad + ": " + refused);
    }
    assertEquals(
        before, http.get("/api/admin/tokens", ADMIN_TOKEN).expect(200).get("tokens").size());
  }

  @Test
  void lastUseIsRecordedAtMostOnceAMinuteNotOnEveryRequest() {
    Issued issued = issue(TOKEN_BODY);

    assertEquals(200, statusAs(issued.token()));
    assertEquals(NOW.toString(), lastUsedAt(issued.id()));
    clock.advance(Duration.ofSeconds(45));
    assertEquals(200, statusAs(issued.token()), "checked again after 30 seconds");
    assertEquals(NOW.toString(), lastUsedAt(issued.id()), "no write within a minute");
    clock.advance(Duration.ofSeconds(30));
    assertEquals(200, statusAs(issued.token()), "checked again, a minute after the recorded use");
    assertEquals(NOW.plusSeconds(75).toString(), lastUsedAt(issued.id()));
  }

  @Test
  void aTokenRevokedOnAnotherNodeStopsWorkingHereWithin30Seconds() {
    String token = token("jo", "admin");
    long id = tokenIdOf("jo");
    try (Host other = startNode(new RecordingPlugin())) {
      HostClient otherNode = new HostClient(other.port());
      otherNode.get("/api/admin/tokens", token).expect(200);

      assertEquals(204, http.delete("/api/admin/tokens/" + id, ADMIN_TOKEN).status());
      assertEquals(
          401, http.get("/api/admin/tokens", token).status(), "at once where it was revoked");

      clock.advance(Duration.ofSeconds(29));
      otherNode.get("/api/admin/tokens", token).expect(200);
      clock.advance(Duration.ofSeconds(1));
      assertEquals(
          401, otherNode.get("/api/admin/tokens", token).status(), "30 seconds later elsewhere");
    }
  }

  private record Issued(String token, long id) {}

  /** How the host answers a plugin route that any valid token (or none) may call. */
  private int statusAs(String token) {
    return http.get("/api/plugins/rec/echo/x", token).status();
  }

  private Issued issue(String body) {
    JsonNode created = http.post("/api/admin/tokens", ADMIN_TOKEN, body).expect(201);
    return new Issued(created.get("token").asText(), created.get("id").asLong());
  }

  private long tokenIdOf(String userId) {
    for (JsonNode token : http.get("/api/admin/tokens", ADMIN_TOKEN).expect(200).get("tokens")) {
      if (token.get("user_id").asText().equals(userId)) {
        return token.get("id").asLong();
      }
    }
    throw new AssertionError("no token of " + userId);
  }

  private String lastUsedAt(long id) {
    return tokenById(http.get("/api/admin/tokens", ADMIN_TOKEN).expect(200), id)
        .get("last_used_at")
        .asText();
  }

  private static JsonNode tokenById(JsonNode list, long id) {
    for (JsonNode token : list.get("tokens")) {
      if (token.get("id").asLong() == id) {
        return token;
      }
    }
    throw new AssertionError("no token " + id + " in " + list);
  }
}
