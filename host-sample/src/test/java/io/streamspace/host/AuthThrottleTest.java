package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.host.support.TokenHashes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Guessing tokens from one address: after 10 failures in 5 minutes, a token that is not valid is
 * answered 429 until the 5 minutes pass; a valid token is checked first and always served.
 */
class AuthThrottleTest extends HostTestBase {

  @Test
  void tenFailedAuthenticationsFromAnAddressAnswer429WithRetryAfterUntilTheWindowPasses()
      throws Exception {
    for (int i = 0; i < 10; i++) {
      assertEquals(401, http.get("/api/admin/plugins", "guess-" + i).status());
    }

    Response throttled = http.get("/api/admin/plugins", "guess-10");
    assertEquals(429, throttled.status());
    assertEquals(Optional.of("300"), throttled.header("Retry-After"));
    assertEquals("too_many_failed_authentications", throttled.body().at("/error/code").asText());
    assertEquals(200, http.get("/api/health", null).status(), "no token, no guess");

    // 300 s from the first failure: 1 s left after 299
    clock.advance(Duration.ofSeconds(299));
    assertEquals(
        Optional.of("1"), http.get("/api/admin/plugins", "guess-11").header("Retry-After"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(401, http.get("/api/admin/plugins", "guess-12").status());
  }

  /**
   * Issue 26, point 1: a node just started (so it has seen no token valid) and 12 made-up tokens
   * from one address; every valid token from that address is still served, the made-up ones are
   * 429.
   */
  @Test
  void aValidTokenIsServedAfterARestartWhateverItsAddressFailed_onlyGuessesAreThrottled()
      throws Exception {
    String userToken = validTokenNotSeenByTheHost("nina", "user");
    String platformToken = validTokenNotSeenByTheHost("platform-backend", "platform");
    try (Host restarted = startNode(new RecordingPlugin())) {
      HostClient node = new HostClient(restarted.port());
      for (int i = 0; i < 12; i++) {
        int status = node.get("/api/admin/plugins", "made-up-" + i).status();
        assertEquals(i < 10 ? 401 : 429, status, "made-up token " + i);
      }

      assertEquals(200, node.get("/api/plugins/rec/echo/x", userToken).status(), "a user's");
      assertEquals(200, node.get("/api/admin/tokens", ADMIN_TOKEN).status(), "the admin's");
      assertEquals(
          202,
          node.post(
                  "/api/platform/events",
                  platformToken,
                  "[{\"id\":\"throttle-1\",\"type\":\"user.created\","
                      + "\"occurred_at\":\"2025-06-01T11:00:00Z\",\"user\":{\"user_id\":\"nina\"}}]")
              .status(),
          "the platform's host token");
      Response minted =
          node.post(
              "/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"omar\",\"roles\":[\"user\"]}");
      String mintedDuringTheLockout = minted.expect(201).get("token").asText();
      assertEquals(200, node.get("/api/plugins/rec/echo/x", mintedDuringTheLockout).status());

      Response guess = node.get("/api/plugins/rec/echo/x", "made-up-12");
      assertEquals(429, guess.status(), "guesses still are");
      assertEquals("too_many_failed_authentications", guess.body().at("/error/code").asText());
    }
  }

  /** A token stored straight in the database, so no host has it in memory. */
  private String validTokenNotSeenByTheHost(String userId, String role) throws SQLException {
    String token = "stored-by-another-node-" + userId + "-0123456789";
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO host_tokens (token_hash, user_id, roles, source, created_at)"
                    + " VALUES (?, ?, ARRAY[?], 'issued', now())")) {
      insert.setString(1, TokenHashes.sha256(token));
      insert.setString(2, userId);
      insert.setString(3, role);
      insert.executeUpdate();
    }
    return token;
  }
}
