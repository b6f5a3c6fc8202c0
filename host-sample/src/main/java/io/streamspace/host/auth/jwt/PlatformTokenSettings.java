package io.streamspace.host.auth.jwt;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the platform's own sign-in tokens (JSON Web Tokens) are checked, read from the host's
 * environment: where the keys are (a JWKS URL or one public key), the issuer and audience a token
 * must name, which claim is the user id and which the roles, and which platform roles are the
 * host's {@code admin} and {@code platform}.
 *
 * @param jwksUrl the platform's JWKS, or null when {@code publicKey} is set
 * @param publicKey the platform's one signing key, or null when {@code jwksUrl} is set
 * @param issuer the exact {@code iss} a token must carry
 * @param audience a value {@code aud} must contain
 * @param userClaim the claim holding the user id
 * @param rolesClaim a dotted path to the claim holding the roles (a list of strings)
 * @param adminRole the platform role that makes a caller the host's admin
 * @param platformRole the platform role that lets a caller post events and ask for admission
 *     (the platform's own backend, signed in with its client credentials); null: no token of the
 *     platform gets it
 */
public record PlatformTokenSettings(
    URL jwksUrl,
    PublicKey publicKey,
    String issuer,
    String audience,
    String userClaim,
    List<String> rolesClaim,
    String adminRole,
    String platformRole) {

  public static final String JWKS_URL = "STREAMSPACE_JWT_JWKS_URL";
  public static final String PUBLIC_KEY = "STREAMSPACE_JWT_PUBLIC_KEY";
  public static final String ISSUER = "STREAMSPACE_JWT_ISSUER";
  public static final String AUDIENCE = "STREAMSPACE_JWT_AUDIENCE";
  public static final String USER_CLAIM = "STREAMSPACE_JWT_USER_CLAIM";
  public static final String ROLES_CLAIM = "STREAMSPACE_JWT_ROLES_CLAIM";
  public static final String ADMIN_ROLE = "STREAMSPACE_JWT_ADMIN_ROLE";
  public static final String PLATFORM_ROLE = "STREAMSPACE_JWT_PLATFORM_ROLE";

  /**
   * Keycloak's: its {@code sub} is an opaque UUID, while the platform's events name users by
   * their user name, as Keycloak's {@code preferred_username} does.
   */
  public static final String DEFAULT_USER_CLAIM = "preferred_username";

  /** Keycloak's realm roles. */
  public static final String DEFAULT_ROLES_CLAIM = "realm_access.roles";

  public static final String DEFAULT_ADMIN_ROLE = "admin";

  /**
   * The settings in {@code environment}; empty when neither a JWKS URL nor a public key is set
   * (then only the host's own tokens are accepted).
   *
   * @throws IllegalArgumentException with one line naming the variable, when one is missing or
   *     not valid
   */
  public static Optional<PlatformTokenSettings> from(Map<String, String> environment) {
    String jwks = value(environment, JWKS_URL);
    String pem = value(environment, PUBLIC_KEY);
    if (jwks == null && pem == null) {
      return Optional.empty();
    }
    if (jwks != null && pem != null) {
      throw new IllegalArgumentException(
          "set " + JWKS_URL + " or " + PUBLIC_KEY + " for the platform's tokens, not both");
    }
    return Optional.of(
        new PlatformTokenSettings(
            jwks == null ? null : url(jwks),
            pem == null ? null : PublicKeys.parse(pem, PUBLIC_KEY),
            required(environment, ISSUER),
            required(environment, AUDIENCE),
            orDefault(environment, USER_CLAIM, DEFAULT_USER_CLAIM),
            List.of(orDefault(environment, ROLES_CLAIM, DEFAULT_ROLES_CLAIM).split("\\.")),
            orDefault(environment, ADMIN_ROLE, DEFAULT_ADMIN_ROLE),
            value(environment, PLATFORM_ROLE)));
  }

  /**
   * The JWKS URL: https, or http to this machine only (a sidecar, a test): keys fetched in clear
   * over a network could be swapped by anyone on the path, who could then sign in as anyone.
   */
  private static URL url(String value) {
    URI uri;
    URL url;
    try {
      uri = new URI(value);
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
        throw new URISyntaxException(value, "not an http(s) URL");
      }
      url = uri.toURL();
    } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(JWKS_URL + " is not an http(s) URL: " + value);
    }
    if ("http".equals(uri.getScheme()) && !LOOPBACK.contains(uri.getHost())) {
      throw new IllegalArgumentException(
          JWKS_URL + " must be https (http only to localhost): " + value);
    }
    return url;
  }

  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

  private static String required(Map<String, String> environment, String name) {
    String value = value(environment, name);
    if (value == null) {
      throw new IllegalArgumentException(
          name
              + " must be set to check the platform's tokens ("
              + JWKS_URL
              + " or "
              + PUBLIC_KEY
              + " is set)");
    }
    return value;
  }

  private static String orDefault(Map<String, String> environment, String name, String fallback) {
    String value = value(environment, name);
    return value == null ? fallback : value;
  }

  private static String value(Map<String, String> environment, String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
