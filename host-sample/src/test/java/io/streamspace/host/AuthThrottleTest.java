package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.TokenHashes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Guessing tokens from one address: after 10 failures in 5 minutes, 429 until the 5 minutes pass. */
class AuthThrottleTest extends HostTestBase {

  @Test
  void tenFailedAuthenticationsFromAnAddressAnswer429WithRetryAfterUntilTheWindowPasses()
      throws Exception {
    String neverLookedUp = validTokenNotSeenByTheHost("nina");
    assertEquals(200, http.get("/api/admin/tokens", ADMIN_TOKEN).status());
    for (int i = 0; i < 10; i++) {
      assertEquals(401, http.get("/api/admin/plugins", "guess-" + i).status());
    }

    Response throttled = http.get("/api/admin/plugins", "guess-10");
    assertEquals(429, throttled.status());
    assertEquals(Optional.of("300"), throttled.header("Retry-After"));
    assertEquals("too_many_failed_authentications", throttled.body().at("/error/code").asText());
    assertEquals(
        429, http.get("/api/plugins/rec/echo/x", neverLookedUp).status(), "not even looked up");
    assertEquals(
        200,
        http.get("/api/admin/tokens", ADMIN_TOKEN).status(),
        "a token just checked still works");
    assertEquals(200, http.get("/api/health", null).status(), "no token, no guess");
    // past TokenStore.RECHECK_AFTER the admin token is read again: a token this host has seen
    // valid is no guess, so a platform behind a shared address keeps working
    clock.advance(Duration.ofSeconds(31));
    assertEquals(
        200, http.get("/api/admin/tokens", ADMIN_TOKEN).status(), "re-checked, not throttled");
    assertEquals(429, http.get("/api/plugins/rec/echo/x", neverLookedUp).status());

    clock.advance(Duration.ofSeconds(268));
    assertEquals(
        Optional.of("1"), http.get("/api/admin/plugins", "guess-11").header("Retry-After"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(401, http.get("/api/admin/plugins", "guess-12").status());
    assertEquals(200, http.get("/api/plugins/rec/echo/x", neverLookedUp).status());
  }

  /** A token stored straight in the database, so this host has no memory of it. */
  private String validTokenNotSeenByTheHost(String userId) throws SQLException {
    String token = "stored-by-another-node-" + userId + "-0123456789";
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO host_tokens"
                    + " (token_hash, user_id, roles, source, created_at) VALUES (?, ?, '{user}', 'issued', now())")) {
      insert.setString(1, TokenHashes.sha256(token));
      insert.setString(2, userId);
      insert.executeUpdate();
    }
    return token;
  }
}
