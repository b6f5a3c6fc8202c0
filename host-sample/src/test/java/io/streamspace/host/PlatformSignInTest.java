package io.streamspace.host;

import static io.streamspace.host.support.TestPlatform.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.streamspace.host.auth.FailedAuthThrottle;
import io.streamspace.host.support.AccessLines;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.TestPlatform;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The platform's own sign-in over HTTP: its JSON Web Tokens, checked against the JWKS the test
 * serves, reach the host's routes as their user next to the host's own tokens; every token the
 * platform did not sign for this host now is a 401 in the host's usual shape.
 */
class PlatformSignInTest extends HostTestBase {

  /** The host's admin token here has a JWT's three parts, and is no JWT. */
  private static final String JWT_SHAPED_ADMIN_TOKEN =
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.host-token-that-only-looks-like-a-jwt";

  private final TestPlatform platform = TestPlatform.start();

  @Override
  protected Map<String, String> secrets() {
    Map<String, String> secrets = new HashMap<>(platform.environment());
    secrets.put("BILLING_ADMIN_TOKEN", JWT_SHAPED_ADMIN_TOKEN);
    return secrets;
  }

  @AfterAll
  void stopPlatform() {
    platform.close();
  }

  @Test
  void aPlatformTokenReachesAUserRouteAsItsUser_namedInTheAccessLog() throws Exception {
    String token = platform.token(claims("alice", clock.instant(), "offline_access"));
    Response[] echo = new Response[1];
    List<ILoggingEvent> logged =
        AccessLines.loggedFor(() -> echo[0] = http.get("/api/plugins/rec/echo/x", token));
    assertEquals(200, echo[0].status(), echo[0].toString());
    assertEquals("alice", echo[0].body().get("user").asText());
    assertTrue(
        AccessLines.accessLine(logged).getFormattedMessage().endsWith("caller=alice"),
        AccessLines.accessLine(logged).getFormattedMessage());
    assertEquals(403, http.get("/api/admin/tokens", token).status(), "a user, not an admin");
  }

  @Test
  void thePlatformTokensOrgsClaimReachesThePluginsCaller_aHostTokenNamesNone() {
    String token =
        platform.token(
            claims("carol", clock.instant())
                .claim("orgs", Map.of("acme", "admin", "beta", "member")));
    Response echo = http.get("/api/plugins/rec/echo/x", token);
    assertEquals(200, echo.status(), echo.toString());
    assertEquals("{acme=ADMIN, beta=MEMBER}", echo.body().get("orgs").asText());
    assertEquals(
        "{}",
        http.get("/api/plugins/rec/echo/x", JWT_SHAPED_ADMIN_TOKEN).body().get("orgs").asText());
  }

  @Test
  void aPlatformTokenWithTheAdminRoleReachesAnAdminRoute() {
    String token = platform.token(claims("root", clock.instant(), "admin"));
    assertEquals(200, http.get("/api/admin/tokens", token).status());
  }

  @Test
  void theHostsOwnTokensStillWork_oneThatLooksLikeAJwtToo() {
    List<String> lines =
        LogCapture.during(
            () ->
                assertEquals(200, http.get("/api/admin/tokens", JWT_SHAPED_ADMIN_TOKEN).status()));
    assertFalse(
        lines.stream().anyMatch(l -> l.contains("Refused a platform token")), lines.toString());
    Response issued =
        http.post(
            "/api/admin/tokens",
            JWT_SHAPED_ADMIN_TOKEN,
            "{\"user_id\":\"carol\",\"roles\":[\"user\"]}");
    String token = issued.expect(201).get("token").asText();
    assertEquals("carol", http.get("/api/plugins/rec/echo/x", token).body().get("user").asText());
  }

  @Test
  void everyTokenThePlatformDidNotSignForThisHostNowIs401_loggedWithoutTheToken() {
    Map<String, Function<Instant, String>> refused = new LinkedHashMap<>();
    refused.put("expired", now -> platform.token(claims("alice", now.minusSeconds(300 + 61))));
    refused.put(
        "not yet valid",
        now -> platform.token(claims("alice", now).notBeforeTime(Date.from(now.plusSeconds(120)))));
    refused.put(
        "wrong issuer",
        now -> platform.token(claims("alice", now).issuer("https://sso.evil.test/realms/x")));
    refused.put("wrong audience", now -> platform.token(claims("alice", now).audience("other")));
    refused.put(
        "wrong signature",
        now ->
            TestPlatform.sign(
                TestPlatform.rsaKey(platform.rsa.getKeyID()),
                JWSAlgorithm.RS256,
                claims("alice", now).build()));
    refused.put(
        "unknown key id",
        now ->
            TestPlatform.sign(
                TestPlatform.rsaKey("rsa-never-published"),
                JWSAlgorithm.RS256,
                claims("alice", now).build()));
    refused.put("alg none", now -> new PlainJWT(claims("root", now, "admin").build()).serialize());
    refused.put("HMAC with the public key as secret", this::hmacSignedWithThePublicKey);
    refused.put("malformed", now -> "eyJhbGciOiJSUzI1NiJ9.not-json.c2ln");
    refused.put(
        "orgs naming an unknown role",
        now -> platform.token(claims("carol", now).claim("orgs", Map.of("acme", "superuser"))));
    refused.put("NUL in the user claim", now -> platform.token(claims("alice\0", now)));
    refused.put("newline in the user claim", now -> platform.token(claims("alice\nroot", now)));
    refused.put("DEL in the user claim", now -> platform.token(claims("alice\u007f", now)));
    refused.put("C1 control in the user claim", now -> platform.token(claims("al\u0085ice", now)));
    refused.put(
        "newline in an organization id",
        now -> platform.token(claims("carol", now).claim("orgs", Map.of("acme\nbeta", "admin"))));
    refused.put(
        "roles as a string",
        now ->
            platform.token(claims("mallory", now).claim("realm_access", Map.of("roles", "admin"))));
    refused.put(
        "orgs of the wrong type",
        now -> platform.token(claims("carol", now).claim("orgs", List.of("acme"))));

    refused.forEach(
        (what, mint) -> {
          // a new window of the failed-authentication throttle for each
          clock.set(clock.instant().plus(FailedAuthThrottle.WINDOW).plusSeconds(1));
          String token = mint.apply(clock.instant());
          Response[] response = new Response[1];
          List<String> lines =
              LogCapture.during(() -> response[0] = http.get("/api/plugins/rec/echo/x", token));
          assertEquals(401, response[0].status(), what);
          assertEquals(
              "{\"error\":{\"code\":\"invalid_token\",\"message\":\"the bearer token is not valid\"}}",
              response[0].body().toString(),
              what);
          assertTrue(
              lines.stream().anyMatch(l -> l.startsWith("INFO Refused a platform token from ")),
              what + ": " + lines);
          String signature = token.substring(token.lastIndexOf('.') + 1);
          assertFalse(
              lines.stream()
                  .anyMatch(
                      l -> l.contains(token) || (!signature.isEmpty() && l.contains(signature))),
              what + ": never the token");
        });
  }

  /**
   * Issue 26, point 4: a user claim holding NUL answered 500 and wrote a raw NUL into the access
   * log; one holding a newline was a user id. Both are 401 now, and the access line names no
   * caller.
   */
  @Test
  void aPlatformTokenWhoseUserClaimHoldsNulOrANewlineIs401_andTheAccessLogStaysClean()
      throws Exception {
    for (String user : List.of("alice\0", "alice\n2026-01-01 INFO forged line")) {
      clock.set(clock.instant().plus(FailedAuthThrottle.WINDOW).plusSeconds(1));
      String token = platform.token(claims(user, clock.instant()));
      Response[] echo = new Response[1];
      List<ILoggingEvent> logged =
          AccessLines.loggedFor(() -> echo[0] = http.get("/api/plugins/rec/echo/x", token));
      assertEquals(401, echo[0].status(), echo[0].toString());
      assertEquals("invalid_token", echo[0].body().at("/error/code").asText());
      String line = AccessLines.accessLine(logged).getFormattedMessage();
      assertTrue(line.endsWith("caller=-"), line);
      assertFalse(line.chars().anyMatch(Character::isISOControl), line);
    }
  }

  private String hmacSignedWithThePublicKey(Instant now) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(platform.rsa.getKeyID()).build(),
              claims("root", now, "admin").build());
      jwt.sign(new MACSigner(platform.rsa.toRSAPublicKey().getEncoded()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
