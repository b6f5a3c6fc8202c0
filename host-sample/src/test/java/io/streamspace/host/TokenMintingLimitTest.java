package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.auth.TokenMintingLimit;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 26, point 8: an admin mints at most 60 tokens a minute; more are 429 with Retry-After. */
class TokenMintingLimitTest extends HostTestBase {

  private static final String BODY = "{\"user_id\":\"u\",\"roles\":[\"user\"]}";

  @Test
  void anAdminMintsAtMost60TokensAMinute_the61stIs429WithRetryAfter() {
    assertEquals(60, TokenMintingLimit.MAX_TOKENS);
    assertEquals(
        400,
        http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"roles\":[\"user\"]}").status(),
        "a refused body mints nothing, so it is not counted");
    for (int i = 0; i < 60; i++) {
      http.post("/api/admin/tokens", ADMIN_TOKEN, BODY).expect(201);
      clock.advance(Duration.ofMillis(500));
    }
    // the window opened at the first mint, 60 × 0.5 s = 30 s ago: 30 s left
    Response refused = http.post("/api/admin/tokens", ADMIN_TOKEN, BODY);
    assertEquals(429, refused.status());
    assertEquals("too_many_tokens", refused.body().at("/error/code").asText());
    assertEquals(Optional.of("30"), refused.header("Retry-After"));
    assertEquals(
        200, http.get("/api/admin/tokens", ADMIN_TOKEN).status(), "listing is not minting");

    clock.advance(Duration.ofSeconds(30));
    http.post("/api/admin/tokens", ADMIN_TOKEN, BODY).expect(201);
  }
}
