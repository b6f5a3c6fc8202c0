package io.streamspace.host.auth.jwt;

import static io.streamspace.host.support.TestPlatform.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.TestPlatform;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformTokensTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final TestPlatform platform = TestPlatform.start();

  @BeforeEach
  void resetTheClock() {
    clock.set(NOW);
  }

  @AfterAll
  void stopPlatform() {
    platform.close();
  }

  private PlatformTokens fromJwks() {
    return PlatformTokens.from(platform.environment(), clock);
  }

  private PlatformTokens withVariables(Map<String, String> variables) {
    Map<String, String> environment = new HashMap<>(platform.environment());
    environment.putAll(variables);
    return PlatformTokens.from(environment, clock);
  }

  private static Optional<Caller> caller(PlatformTokens tokens, String token) {
    return tokens.check(token).caller();
  }

  private static String refusal(PlatformTokens tokens, String token) {
    PlatformTokens.Outcome outcome = tokens.check(token);
    assertEquals(Optional.empty(), outcome.caller(), "refused");
    return outcome.refusal().orElseThrow();
  }

  @Test
  void aKeycloakStyleTokenSignsInItsPreferredUsernameAsAUser() {
    Optional<Caller> caller = caller(fromJwks(), platform.token(claims("alice", NOW, "viewer")));
    assertEquals(Optional.of(new Caller("alice", Set.of(Caller.ROLE_USER))), caller);
  }

  @Test
  void thePlatformsAdminRoleMakesTheHostsAdminAndAUser() {
    Optional<Caller> caller = caller(fromJwks(), platform.token(claims("root", NOW, "admin")));
    assertEquals(
        Optional.of(new Caller("root", Set.of(Caller.ROLE_ADMIN, Caller.ROLE_USER))), caller);
  }

  @Test
  void theUserClaimRolesPathAndAdminRoleAreConfigurable() {
    PlatformTokens tokens =
        withVariables(
            Map.of(
                "STREAMSPACE_JWT_USER_CLAIM", "sub",
                "STREAMSPACE_JWT_ROLES_CLAIM", "groups",
                "STREAMSPACE_JWT_ADMIN_ROLE", "billing-admins"));
    String token =
        platform.token(
            claims("bob", NOW).subject("u-42").claim("groups", List.of("billing-admins")));
    assertEquals(
        Optional.of(new Caller("u-42", Set.of(Caller.ROLE_ADMIN, Caller.ROLE_USER))),
        caller(tokens, token));
  }

  /** Issue 51: a {@code sub} that would read backwards on screen, or break a line, is no one's. */
  @Test
  void aSubClaimHoldingABidiOverrideOrALineSeparatorIsRefused() {
    PlatformTokens tokens = withVariables(Map.of("STREAMSPACE_JWT_USER_CLAIM", "sub"));
    for (String unsafe : List.of("\u202e", "\u2067", "\u2028", "\u2029")) {
      String token = platform.token(claims("bob", NOW).subject("u-42" + unsafe + "nimda"));
      assertEquals(
          "claim sub holds a control character, a bidirectional control or a line separator",
          refusal(tokens, token),
          "U+" + Integer.toHexString(unsafe.charAt(0)));
    }
    assertEquals(
        "u-42",
        caller(tokens, platform.token(claims("bob", NOW).subject("u-42"))).orElseThrow().userId());
  }

  @Test
  void thePlatformsBackendGetsThePlatformRoleOnlyWhenARoleIsNamedForIt() {
    String backend =
        platform.token(
            claims("service-account-streamspace", NOW)
                .claim("realm_access", Map.of("roles", List.of("streamspace-platform"))));
    assertEquals(
        Optional.of(new Caller("service-account-streamspace", Set.of(Caller.ROLE_USER))),
        caller(fromJwks(), backend),
        "no platform role unless the operator names one");

    PlatformTokens named =
        withVariables(Map.of("STREAMSPACE_JWT_PLATFORM_ROLE", "streamspace-platform"));
    assertEquals(
        Optional.of(
            new Caller(
                "service-account-streamspace", Set.of(Caller.ROLE_USER, Caller.ROLE_PLATFORM))),
        caller(named, backend));
    assertEquals(
        Optional.of(new Caller("alice", Set.of(Caller.ROLE_USER))),
        caller(named, platform.token(claims("alice", NOW))));
  }

  @Test
  void anEcTokenFromTheJwksIsAccepted() {
    String token = TestPlatform.sign(platform.ec, JWSAlgorithm.ES256, claims("erin", NOW).build());
    assertEquals("erin", caller(fromJwks(), token).orElseThrow().userId());
  }

  @Test
  void aPublicKeyInPemStandsForTheJwks_rsaOrEc() throws JOSEException {
    PlatformTokens rsa = withPublicKey(TestPlatform.pem(platform.rsa.toRSAPublicKey()));
    assertEquals("alice", caller(rsa, platform.token(claims("alice", NOW))).orElseThrow().userId());
    PlatformTokens ec = withPublicKey(TestPlatform.pem(platform.ec.toECPublicKey()));
    String esToken =
        TestPlatform.sign(platform.ec, JWSAlgorithm.ES256, claims("erin", NOW).build());
    assertEquals("erin", caller(ec, esToken).orElseThrow().userId());
    assertTrue(caller(ec, platform.token(claims("alice", NOW))).isEmpty(), "not its key");
  }

  private PlatformTokens withPublicKey(String pem) {
    return PlatformTokens.from(
        Map.of(
            "STREAMSPACE_JWT_PUBLIC_KEY", pem,
            "STREAMSPACE_JWT_ISSUER", TestPlatform.ISSUER,
            "STREAMSPACE_JWT_AUDIENCE", TestPlatform.AUDIENCE),
        clock);
  }

  @Test
  void anExpiredTokenIsRefused_butOneExpiredWithinTheClockSkewIsNot() {
    PlatformTokens tokens = fromJwks();
    String token = platform.token(claims("alice", NOW));
    clock.set(NOW.plus(Duration.ofMinutes(5)).plusSeconds(PlatformTokens.CLOCK_SKEW_SECONDS - 1));
    assertTrue(caller(tokens, token).isPresent(), "within the skew");
    clock.set(NOW.plus(Duration.ofMinutes(5)).plusSeconds(PlatformTokens.CLOCK_SKEW_SECONDS + 1));
    assertEquals("Expired JWT", refusal(tokens, token));
  }

  @Test
  void aTokenNotYetValidIsRefused() {
    String token =
        platform.token(claims("alice", NOW).notBeforeTime(Date.from(NOW.plusSeconds(120))));
    assertEquals("JWT before use time", refusal(fromJwks(), token));
  }

  @Test
  void aTokenOfAnotherIssuerOrForAnotherAudienceIsRefused() {
    PlatformTokens tokens = fromJwks();
    String otherIssuer = platform.token(claims("alice", NOW).issuer("https://evil.example"));
    assertTrue(refusal(tokens, otherIssuer).contains("iss"));
    String otherAudience = platform.token(claims("alice", NOW).audience("another-app"));
    assertTrue(refusal(tokens, otherAudience).contains("aud"));
  }

  @Test
  void aTokenSignedWithAnotherKeyUnderAKnownKeyIdIsRefused() {
    RSAKey impostor = TestPlatform.rsaKey(platform.rsa.getKeyID());
    String token = TestPlatform.sign(impostor, JWSAlgorithm.RS256, claims("alice", NOW).build());
    assertTrue(refusal(fromJwks(), token).contains("Invalid signature"));
  }

  @Test
  void aTokenOfAnUnknownKeyIdIsRefusedAfterTheJwksIsReadAgain() {
    PlatformTokens tokens = fromJwks();
    tokens.check(platform.token(claims("alice", NOW)));
    int fetches = platform.jwksFetches.get();
    RSAKey unknown = TestPlatform.rsaKey("rsa-unknown");
    String token = TestPlatform.sign(unknown, JWSAlgorithm.RS256, claims("alice", NOW).build());
    assertTrue(refusal(tokens, token).contains("no matching key"));
    assertEquals(fetches + 1, platform.jwksFetches.get(), "read again for the unknown key id");
  }

  @Test
  void aRotatedKeyIsPickedUpAtItsFirstToken() {
    PlatformTokens tokens = fromJwks();
    assertTrue(caller(tokens, platform.token(claims("alice", NOW))).isPresent(), "cached");
    RSAKey next = TestPlatform.rsaKey("rsa-2");
    platform.publish(next, platform.ec);
    try {
      String token = TestPlatform.sign(next, JWSAlgorithm.RS256, claims("alice", NOW).build());
      assertEquals("alice", caller(tokens, token).orElseThrow().userId());
    } finally {
      platform.publish(platform.rsa, platform.ec);
    }
  }

  @Test
  void anUnsecuredTokenAlgNoneIsRefused() {
    String token = new PlainJWT(claims("alice", NOW).build()).serialize();
    assertTrue(refusal(fromJwks(), token).contains("Unsecured"));
  }

  @Test
  void aTokenHmacSignedWithThePublicKeyAsSecretIsRefused() throws JOSEException {
    PlatformTokens tokens = withPublicKey(TestPlatform.pem(platform.rsa.toRSAPublicKey()));
    for (byte[] secret :
        List.of(
            platform.rsa.toRSAPublicKey().getEncoded(),
            TestPlatform.pem(platform.rsa.toRSAPublicKey()).getBytes(StandardCharsets.UTF_8))) {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(platform.rsa.getKeyID()).build(),
              claims("mallory", NOW, "admin").build());
      jwt.sign(new MACSigner(secret));
      assertTrue(refusal(tokens, jwt.serialize()).contains("no matching key"));
      assertTrue(refusal(fromJwks(), jwt.serialize()).contains("no matching key"));
    }
  }

  @Test
  void aMalformedTokenIsRefused_andATokenWithoutAJwtsThreePartsIsNotChecked() {
    assertEquals("malformed", refusal(fromJwks(), "abc.def.ghi"));
    assertEquals(
        new PlatformTokens.Outcome(Optional.empty(), Optional.empty()),
        fromJwks().check("a-host-token-without-dots-0123456789"));
  }

  @Test
  void theOrgsClaimNamesTheCallersOrganizationsWithTheirRoles() {
    String token =
        platform.token(
            claims("carol", NOW, "viewer")
                .claim("orgs", Map.of("acme", "admin", "beta", "member", "gamma", "owner")));
    assertEquals(
        Optional.of(
            new Caller(
                "carol",
                Set.of(Caller.ROLE_USER),
                Map.of(
                    "acme", OrganizationEvent.Role.ADMIN,
                    "beta", OrganizationEvent.Role.MEMBER,
                    "gamma", OrganizationEvent.Role.OWNER))),
        caller(fromJwks(), token));
  }

  @Test
  void withoutTheOrgsClaimTheCallerNamesNoOrganization_nullOrEmptyAlike() {
    assertEquals(
        Map.of(),
        caller(fromJwks(), platform.token(claims("alice", NOW))).orElseThrow().memberships());
    assertEquals(
        Map.of(),
        caller(fromJwks(), platform.token(claims("alice", NOW).claim("orgs", Map.of())))
            .orElseThrow()
            .memberships());
  }

  @Test
  void anOrgsClaimWithAnUnknownRoleIsRefused_namingTheOrganization() {
    String token = platform.token(claims("carol", NOW).claim("orgs", Map.of("acme", "superuser")));
    assertEquals(
        "claim orgs.acme is not a role (owner, admin or member)", refusal(fromJwks(), token));
  }

  @Test
  void anOrgsClaimOfTheWrongTypeIsRefused() {
    for (Object wrong :
        List.of(
            List.of("acme"),
            "acme:admin",
            Map.of("acme", List.of("admin")),
            Map.of("acme", 1),
            Map.of(" ", "member"))) {
      String token = platform.token(claims("carol", NOW).claim("orgs", wrong));
      assertTrue(refusal(fromJwks(), token).startsWith("claim orgs"), "refused: " + wrong);
    }
  }

  /**
   * Issue 26, point 4: NUL, a newline, any C0 or C1 control or DEL in an identity; issue 51: a
   * bidirectional override, embedding or isolate, or a line or paragraph separator, too.
   */
  @Test
  void aUserClaimOrOrganizationIdHoldingAControlCharacterIsRefused_namingNeitherItsValue() {
    for (String control :
        List.of(
            "\0", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u009f", "\u202a", "\u202e",
            "\u2066", "\u2069", "\u2028", "\u2029")) {
      String user = "alice" + control + "admin";
      assertEquals(
          "claim preferred_username holds a control character, a bidirectional control or a line"
              + " separator",
          refusal(fromJwks(), platform.token(claims(user, NOW))),
          "U+" + Integer.toHexString(control.charAt(0)));
      String org = "acme" + control;
      assertEquals(
          "claim orgs names an organization with a control character, a bidirectional control or"
              + " a line separator",
          refusal(
              fromJwks(),
              platform.token(claims("carol", NOW).claim("orgs", Map.of(org, "superuser")))),
          "U+" + Integer.toHexString(control.charAt(0)));
    }
    assertEquals(
        "al\u00efce \u00e9\u00e8 \u4e2d",
        caller(fromJwks(), platform.token(claims("al\u00efce \u00e9\u00e8 \u4e2d", NOW)))
            .orElseThrow()
            .userId(),
        "printable non-ASCII is an id like any other");
  }

  /** Issue 26, point 8: a roles claim that is a string is no list of roles, nor one role. */
  @Test
  void aRolesClaimThatIsAStringIsRefused_notReadAsARole() {
    String token =
        platform.token(claims("mallory", NOW).claim("realm_access", Map.of("roles", "admin")));
    assertEquals("claim realm_access.roles is not a list of roles", refusal(fromJwks(), token));
    String mixed =
        platform.token(
            claims("mallory", NOW).claim("realm_access", Map.of("roles", List.of("admin", 1))));
    assertEquals("claim realm_access.roles is not a list of roles", refusal(fromJwks(), mixed));
    assertEquals(
        Optional.of(new Caller("alice", Set.of(Caller.ROLE_USER))),
        caller(fromJwks(), platform.token(claims("alice", NOW).claim("realm_access", Map.of()))),
        "no roles claim at all: a user");
  }

  @Test
  void aTokenWithoutTheUserClaimIsRefused() {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(claims("alice", NOW).build())
            .claim("preferred_username", null)
            .build();
    String token = TestPlatform.sign(platform.rsa, JWSAlgorithm.RS256, claims);
    assertTrue(refusal(fromJwks(), token).contains("preferred_username"));
  }

  @Test
  void withoutAJwksUrlOrAPublicKeyNoTokenIsThePlatforms() {
    PlatformTokens none = PlatformTokens.from(Map.of(), clock);
    PlatformTokens.Outcome outcome = none.check(platform.token(claims("alice", NOW)));
    assertEquals(Optional.empty(), outcome.caller());
    assertEquals(Optional.empty(), outcome.refusal());
  }

  @Test
  void missingOrInvalidVariablesAreRefusedWithOneLineNamingThem() {
    Map<String, String> jwks = platform.environment();
    assertEquals(
        "STREAMSPACE_JWT_ISSUER must be set to check the platform's tokens"
            + " (STREAMSPACE_JWT_JWKS_URL or STREAMSPACE_JWT_PUBLIC_KEY is set)",
        message(without(jwks, "STREAMSPACE_JWT_ISSUER")));
    assertTrue(
        message(without(jwks, "STREAMSPACE_JWT_AUDIENCE")).startsWith("STREAMSPACE_JWT_AUDIENCE"));
    String badPem = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----";
    Map<String, String> pem = new HashMap<>(without(jwks, "STREAMSPACE_JWT_JWKS_URL"));
    pem.put("STREAMSPACE_JWT_PUBLIC_KEY", badPem);
    String notAKey = message(pem);
    assertTrue(notAKey.startsWith("STREAMSPACE_JWT_PUBLIC_KEY is not an RSA or EC public key"));
    assertFalse(notAKey.contains("bm90IGEga2V5"), "never the value");
    Map<String, String> both = new HashMap<>(jwks);
    both.put("STREAMSPACE_JWT_PUBLIC_KEY", badPem);
    assertTrue(message(both).contains("not both"));
    Map<String, String> ftp = new HashMap<>(jwks);
    ftp.put("STREAMSPACE_JWT_JWKS_URL", "ftp://sso.example/jwks");
    assertTrue(message(ftp).startsWith("STREAMSPACE_JWT_JWKS_URL is not an http(s) URL"));
    Map<String, String> clear = new HashMap<>(jwks);
    clear.put("STREAMSPACE_JWT_JWKS_URL", "http://sso.example/jwks");
    assertTrue(
        message(clear)
            .startsWith("STREAMSPACE_JWT_JWKS_URL must be https (http only to localhost)"),
        message(clear));
  }

  private String message(Map<String, String> environment) {
    return assertThrows(
            IllegalArgumentException.class, () -> PlatformTokens.from(environment, clock))
        .getMessage();
  }

  private static Map<String, String> without(Map<String, String> environment, String name) {
    Map<String, String> copy = new HashMap<>(environment);
    copy.remove(name);
    return copy;
  }

  @Test
  void anUnreachableJwksIsLoggedInOneLine_andTokensAreRefusedUntilItCanBeRead() {
    PlatformTokens tokens =
        withVariables(Map.of("STREAMSPACE_JWT_JWKS_URL", "http://127.0.0.1:1/jwks"));
    List<String> lines = LogCapture.during(tokens::fetchKeys);
    assertEquals(1, lines.stream().filter(l -> l.startsWith("WARN")).count(), lines.toString());
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith(
                        "WARN Platform sign-in: the JWKS at http://127.0.0.1:1/jwks could not be"
                            + " read yet")),
        lines.toString());
    assertTrue(
        refusal(tokens, platform.token(claims("alice", NOW))).contains("keys could not be read"));
  }
}
