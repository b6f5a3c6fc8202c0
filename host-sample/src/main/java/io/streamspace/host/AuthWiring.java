package io.streamspace.host;

import io.streamspace.host.auth.AdminToken;
import io.streamspace.host.auth.AdminTokenPolicy;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.auth.FailedAuthThrottle;
import io.streamspace.host.auth.TokenStore;
import io.streamspace.host.auth.TrustedProxies;
import io.streamspace.host.auth.jwt.PlatformTokens;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Who may call the host: its bearer tokens, the admin's token as {@link AdminTokenPolicy} settles
 * it, the platform's own sign-in, and the authenticator the routes ask.
 */
record AuthWiring(TokenStore tokens, AdminToken adminToken, Authenticator authenticator) {

  /**
   * {@code BILLING_ADMIN_TOKEN}, or null when unset or blank; read before anything starts.
   *
   * @throws Host.StartRefused when it is too short to be safe
   */
  static String adminTokenFromEnvironment(HostOptions options) {
    try {
      return AdminTokenPolicy.fromEnvironment(options.secrets());
    } catch (AdminTokenPolicy.Refused e) {
      throw new Host.StartRefused(e.getMessage());
    }
  }

  /**
   * The platform's own sign-in ({@code STREAMSPACE_JWT_*}), its JWKS fetched once now (an
   * unreachable one is logged, not a reason to refuse the start).
   *
   * @throws Host.StartRefused when a variable is missing or not valid
   */
  static PlatformTokens platformTokens(HostOptions options) {
    PlatformTokens platformTokens;
    try {
      platformTokens = PlatformTokens.from(options.secrets(), options.clock());
    } catch (IllegalArgumentException e) {
      throw new Host.StartRefused(e.getMessage());
    }
    platformTokens.fetchKeys();
    return platformTokens;
  }

  /**
   * The reverse proxies whose {@code X-Forwarded-For} names the client ({@value
   * TrustedProxies#ENV}); none by default.
   *
   * @throws Host.StartRefused when an entry is no address or range
   */
  static TrustedProxies trustedProxies(HostOptions options) {
    try {
      return TrustedProxies.from(options.secrets());
    } catch (IllegalArgumentException e) {
      throw new Host.StartRefused(e.getMessage());
    }
  }

  /**
   * Settles the admin token in the migrated database.
   *
   * @throws Host.StartRefused when {@code BILLING_ADMIN_TOKEN} is a revoked token
   */
  static AuthWiring start(
      HostOptions options,
      DataSource dataSource,
      String adminTokenFromEnvironment,
      PlatformTokens platformTokens,
      TrustedProxies trustedProxies) {
    TokenStore tokens = new TokenStore(dataSource, options.clock());
    AdminToken adminToken;
    try {
      // the host's start reports what the policy revoked, under the host's name
      adminToken =
          new AdminTokenPolicy(tokens, LoggerFactory.getLogger(Host.class))
              .settle(adminTokenFromEnvironment);
    } catch (AdminTokenPolicy.Refused e) {
      throw new Host.StartRefused(e.getMessage());
    }
    Authenticator authenticator =
        new Authenticator(
            tokens, new FailedAuthThrottle(options.clock()), platformTokens, trustedProxies);
    return new AuthWiring(tokens, adminToken, authenticator);
  }
}
