package io.streamspace.host.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.streamspace.common.text.SafeText;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.http.Caller;
import java.net.URL;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the platform's own sign-in tokens: a JWS signed with an asymmetric key of the platform
 * (its JWKS or its one public key), by the configured issuer, for the configured audience, valid
 * now by the host's clock give or take {@link #CLOCK_SKEW_SECONDS}. Its user claim is the caller's
 * user id; a caller holding the platform's admin role is the host's {@code admin} (and a
 * {@code user}), everyone else a {@code user}.
 *
 * <p>Only the asymmetric algorithms the key supports are accepted, so {@code alg: none} and a
 * token HMAC-signed with the public key as its secret are refused. A JWKS is fetched with Nimbus's
 * remote source: cached for 5 minutes, fetched again (at most twice in 30 seconds) when a token
 * names a key id it does not hold, so a rotated key is picked up at its first token.
 *
 * <p>A token may name the caller's organizations in its optional {@value #ORGS_CLAIM} claim, an
 * object of organization ids to roles ({@code {"acme": "admin", "beta": "member"}}, roles
 * {@code owner}, {@code admin}, {@code member}): they reach the plugins as
 * {@link Caller#memberships()}. A token whose claim is not such an object, or names a role that is
 * none of these, is refused like any other token that is not valid.
 *
 * <p>One class because its imports are Nimbus's: checking one token is a chain of Nimbus types
 * (key source, key selector, processor, claims verifier), each named once here, and the rules of
 * the key, the claims and the organizations are a few lines each.
 */
public final class PlatformTokens {

  /** The claim naming the caller's organizations and roles in them. */
  public static final String ORGS_CLAIM = "orgs";

  /** How far off the platform's clock may be from the host's. */
  public static final int CLOCK_SKEW_SECONDS = 60;

  /** Connect and read timeouts of a JWKS fetch, and its size limit. */
  private static final int JWKS_TIMEOUT_MILLIS = 2_000;

  private static final int JWKS_SIZE_LIMIT = 256 * 1024;

  private static final Set<JWSAlgorithm> ASYMMETRIC = asymmetric();

  private static final Logger log = LoggerFactory.getLogger(PlatformTokens.class);

  /** A token the platform's sign-in does not know: every bearer token is the host's own. */
  public static final PlatformTokens NONE = new PlatformTokens(null, null, null);

  /**
   * What checking a bearer token as the platform's found.
   *
   * @param caller who it signs in, when valid
   * @param refusal why it was refused, when it is a JWT that is not valid (never the token)
   */
  public record Outcome(Optional<Caller> caller, Optional<String> refusal) {
    static final Outcome NOT_A_JWT = new Outcome(Optional.empty(), Optional.empty());

    static Outcome refused(String why) {
      return new Outcome(Optional.empty(), Optional.of(printable(why)));
    }
  }

  private final PlatformTokenSettings settings;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final JWKSource<SecurityContext> jwks;

  private PlatformTokens(
      PlatformTokenSettings settings,
      DefaultJWTProcessor<SecurityContext> processor,
      JWKSource<SecurityContext> jwks) {
    this.settings = settings;
    this.processor = processor;
    this.jwks = jwks;
  }

  /**
   * The platform's sign-in configured by {@code environment} ({@link PlatformTokenSettings}), or
   * {@link #NONE} when it is not.
   *
   * @throws IllegalArgumentException one line naming the variable that is missing or not valid
   */
  public static PlatformTokens from(Map<String, String> environment, Clock clock) {
    return PlatformTokenSettings.from(environment)
        .map(settings -> of(settings, clock))
        .orElse(NONE);
  }

  private static PlatformTokens of(PlatformTokenSettings settings, Clock clock) {
    JWKSource<SecurityContext> jwks =
        settings.jwksUrl() == null ? null : remoteJwks(settings.jwksUrl());
    JWSKeySelector<SecurityContext> keys =
        jwks == null
            ? theOneKey(settings.publicKey())
            : new JWSVerificationKeySelector<>(ASYMMETRIC, jwks);
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(keys);
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(settings.audience()),
            new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
            Set.of("exp", settings.userClaim()),
            null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
    return new PlatformTokens(settings, processor, jwks);
  }

  /**
   * Fetches the JWKS once, so the first token need not wait for it; a platform not reachable yet
   * is no reason to refuse the start: it is logged, and fetched again at the next token.
   */
  public void fetchKeys() {
    if (jwks == null) {
      return;
    }
    try {
      int count = jwks.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
      log.info("Platform sign-in: {} key(s) read from {}", count, settings.jwksUrl());
    } catch (KeySourceException e) {
      log.warn(
          "Platform sign-in: the JWKS at {} could not be read yet ({}); platform tokens are"
              + " refused until it can",
          settings.jwksUrl(),
          e.getMessage());
    }
  }

  /** Checks {@code token} when it has a JWS's three parts; else it is not the platform's. */
  public Outcome check(String token) {
    if (processor == null || token.chars().filter(c -> c == '.').count() != 2) {
      return Outcome.NOT_A_JWT;
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      return Outcome.refused("malformed");
    } catch (KeySourceException e) {
      return Outcome.refused("the platform's keys could not be read: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      return Outcome.refused(e.getMessage());
    }
    Object user = claims.getClaim(settings.userClaim());
    if (!(user instanceof String userId) || userId.isBlank()) {
      return Outcome.refused("claim " + settings.userClaim() + " is not a user id");
    }
    if (hasControlCharacter(userId)) {
      // a NUL the database cannot store, a newline that would forge log lines: no one's id
      return Outcome.refused(
          "claim "
              + settings.userClaim()
              + " holds a control character, a bidirectional control or a line separator");
    }
    Map<String, OrganizationEvent.Role> memberships;
    Set<String> theirs;
    try {
      memberships = memberships(claims.getClaim(ORGS_CLAIM));
      theirs = roles(claims);
    } catch (IllegalArgumentException e) {
      return Outcome.refused(e.getMessage());
    }
    Set<String> roles = new HashSet<>(Set.of(Caller.ROLE_USER));
    if (theirs.contains(settings.adminRole())) {
      roles.add(Caller.ROLE_ADMIN);
    }
    if (settings.platformRole() != null && theirs.contains(settings.platformRole())) {
      roles.add(Caller.ROLE_PLATFORM);
    }
    return new Outcome(
        Optional.of(new Caller(userId, Set.copyOf(roles), memberships)), Optional.empty());
  }

  /**
   * The organizations of the {@value #ORGS_CLAIM} claim with their roles; none without it.
   *
   * @throws IllegalArgumentException naming what is wrong, when it is not an object of
   *     organization ids to known roles
   */
  private static Map<String, OrganizationEvent.Role> memberships(Object claim) {
    if (claim == null) {
      return Map.of();
    }
    if (!(claim instanceof Map<?, ?> orgs)) {
      throw new IllegalArgumentException(
          "claim " + ORGS_CLAIM + " is not an object of organization ids to roles");
    }
    Map<String, OrganizationEvent.Role> memberships = new HashMap<>();
    for (Map.Entry<?, ?> org : orgs.entrySet()) {
      String orgId = String.valueOf(org.getKey());
      if (orgId.isBlank()) {
        throw new IllegalArgumentException("claim " + ORGS_CLAIM + " names a blank organization");
      }
      if (hasControlCharacter(orgId)) {
        throw new IllegalArgumentException(
            "claim "
                + ORGS_CLAIM
                + " names an organization with a control character, a bidirectional control"
                + " or a line separator");
      }
      OrganizationEvent.Role role =
          (org.getValue() instanceof String name
                  ? OrganizationEvent.Role.fromWire(name)
                  : Optional.<OrganizationEvent.Role>empty())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "claim "
                              + ORGS_CLAIM
                              + "."
                              + orgId
                              + " is not a role (owner, admin or member)"));
      memberships.put(orgId, role);
    }
    return memberships;
  }

  /**
   * The platform roles at the dotted path of the roles claim: a list of strings, or none when
   * absent.
   *
   * @throws IllegalArgumentException when it is anything else: a string is not read as one role
   *     (nor split), since a platform that wrote {@code "admin user"} or {@code "not-admin"} there
   *     meant something this host cannot know
   */
  private Set<String> roles(JWTClaimsSet claims) {
    Object node = claims.getClaims();
    for (String step : settings.rolesClaim()) {
      node = node instanceof Map<?, ?> map ? map.get(step) : null;
    }
    if (node == null) {
      return Set.of();
    }
    if (!(node instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
      throw new IllegalArgumentException(
          "claim " + String.join(".", settings.rolesClaim()) + " is not a list of roles");
    }
    Set<String> roles = new HashSet<>();
    list.stream().map(String.class::cast).forEach(roles::add);
    return roles;
  }

  /**
   * Whether {@code text} holds a control character (C0, DEL or C1: U+0000 to U+001F, U+007F to
   * U+009F), a bidirectional control (U+202A to U+202E, U+2066 to U+2069) or a line separator
   * (U+2028, U+2029), which no identity may hold: neither a platform token's nor a host token's
   * user id ({@link SafeText}).
   */
  public static boolean hasControlCharacter(String text) {
    return SafeText.hasUnsafeCharacter(text);
  }

  /**
   * {@code why} with every control character as {@code ?}: a refusal's reason may quote a claim
   * (Nimbus names the issuer it found), and a log line must stay one line.
   */
  static String printable(String why) {
    return why.replaceAll("\\p{Cc}", "?");
  }

  /** Nimbus's remote JWKS: cached, fetched again for an unknown key id, rate-limited. */
  private static JWKSource<SecurityContext> remoteJwks(URL url) {
    return JWKSourceBuilder.create(
            url,
            new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_SIZE_LIMIT))
        .retrying(true)
        .build();
  }

  /** The one key, whatever key id a token names, for the algorithms it supports. */
  private static JWSKeySelector<SecurityContext> theOneKey(PublicKey key) {
    Set<JWSAlgorithm> algorithms = algorithmsOf(key);
    return (header, context) ->
        algorithms.contains(header.getAlgorithm()) ? List.of(key) : List.of();
  }

  /** The signature algorithms of a key: RSA's, or those of an EC key's curve. */
  private static Set<JWSAlgorithm> algorithmsOf(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      return JWSAlgorithm.Family.EC.stream()
          .filter(algorithm -> Curve.forJWSAlgorithm(algorithm).contains(curve))
          .collect(Collectors.toUnmodifiableSet());
    }
    return JWSAlgorithm.Family.RSA;
  }

  private static Set<JWSAlgorithm> asymmetric() {
    Set<JWSAlgorithm> algorithms = new HashSet<>(JWSAlgorithm.Family.RSA);
    algorithms.addAll(JWSAlgorithm.Family.EC);
    return Set.copyOf(algorithms);
  }
}
