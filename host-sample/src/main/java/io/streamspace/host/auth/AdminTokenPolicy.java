package io.streamspace.host.auth;

import io.streamspace.plugin.api.http.Caller;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * How a start chooses the admin's token. {@code BILLING_ADMIN_TOKEN} when set (long enough to be
 * safe, never a revoked one) replaces the previous environment token; without it, a token is
 * generated once and kept until an admin revokes it, shown only by the start that created it. The
 * admin tokens 0.1 hosts stored on each start are revoked either way.
 */
public final class AdminTokenPolicy {

  /** A start the operator must change first; the message says what, in one line. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  public static final String ENV = "BILLING_ADMIN_TOKEN";

  /** 32 characters of base64 carry 192 bits: no guessing, throttled or not. */
  public static final int MIN_LENGTH = 32;

  private static final String ADMIN_USER = "admin";
  private static final Set<String> ADMIN_ROLES = Set.of(Caller.ROLE_ADMIN);

  private final TokenStore tokens;
  private final Logger log;

  /**
   * @param log where the revocation of 0.1 hosts' tokens is reported: the host's start, whose
   *     lines the operator reads
   */
  public AdminTokenPolicy(TokenStore tokens, Logger log) {
    this.tokens = tokens;
    this.log = log;
  }

  /**
   * {@code BILLING_ADMIN_TOKEN}, or null when unset or blank; checked before anything starts.
   *
   * @throws Refused when it is too short to be safe
   */
  public static String fromEnvironment(Map<String, String> secrets) {
    String token = secrets.get(ENV);
    if (token == null || token.isBlank()) {
      return null;
    }
    if (token.length() < MIN_LENGTH) {
      throw new Refused(
          ENV
              + " must be at least "
              + MIN_LENGTH
              + " characters (it has "
              + token.length()
              + "); generate one with: openssl rand -base64 32");
    }
    return token;
  }

  /**
   * The admin tokens 0.1 hosts stored are revoked; the environment's admin token replaces the
   * previous one; without one, the generated admin token is created once and kept until an admin
   * revokes it (only this start knows its secret). A start without {@code BILLING_ADMIN_TOKEN}
   * leaves an environment token alone: other nodes of the cluster may be using it.
   *
   * @param fromEnvironment what {@link #fromEnvironment} read, or null
   * @throws Refused when {@code BILLING_ADMIN_TOKEN} is a revoked token
   */
  public AdminToken settle(String fromEnvironment) {
    if (fromEnvironment == null) {
      retireLegacyAdminTokens();
      return settleGeneratedAdminToken();
    }
    // first, so that a BILLING_ADMIN_TOKEN a 0.1 host stored becomes the environment token
    AdminToken settled = settleEnvironmentAdminToken(fromEnvironment);
    retireLegacyAdminTokens();
    return settled;
  }

  private void retireLegacyAdminTokens() {
    int legacy = tokens.retireLegacyAdminTokens();
    if (legacy > 0) {
      log.warn("Revoked {} admin token(s) that hosts before 0.2 stored on each start", legacy);
    }
  }

  private AdminToken settleEnvironmentAdminToken(String fromEnvironment) {
    TokenStore.TokenInfo info =
        tokens.replaceEnvironmentToken(fromEnvironment, ADMIN_USER, ADMIN_ROLES);
    if (info.revokedAt() != null) {
      throw new Refused(ENV + " is a revoked token (token id " + info.id() + "); set a new one");
    }
    return new AdminToken(fromEnvironment, false, info.id());
  }

  private AdminToken settleGeneratedAdminToken() {
    // A node revoking the active one in between is the only reason for a second round.
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<TokenStore.NewToken> created =
          tokens.generateAdminTokenOnce(ADMIN_USER, ADMIN_ROLES);
      if (created.isPresent()) {
        return new AdminToken(created.get().token(), true, created.get().info().id());
      }
      Optional<TokenStore.TokenInfo> active = tokens.activeGeneratedAdminToken();
      if (active.isPresent()) {
        return new AdminToken(null, true, active.get().id());
      }
    }
    throw new IllegalStateException(
        "the generated admin token was revoked while this host started");
  }
}
