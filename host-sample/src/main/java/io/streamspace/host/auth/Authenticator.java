package io.streamspace.host.auth;

import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.auth.jwt.PlatformTokens;
import io.streamspace.host.logging.AccessLog;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the {@code Authorization: Bearer} token of a request and checks roles. Failed
 * authentications are throttled per client address ({@link TrustedProxies} says which): the
 * token is always checked first, and a valid one is served whatever its address's failures
 * (after a restart, a token minted during a lockout, the host's own); only a token that is not
 * valid counts as a failure, and only it is answered 429 once its address failed too often. So
 * one client's bad token never locks out the others behind the same address, while guessing
 * stays slow.
 *
 * <p>A token with a JWT's three parts is checked as the platform's own sign-in token first (when
 * {@link PlatformTokens} are configured), then, if not valid as one, as a host token: a host token
 * that looks like a JWT still works.
 */
public final class Authenticator {

  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final String BEARER = "bearer ";

  private final TokenStore tokens;
  private final FailedAuthThrottle throttle;
  private final PlatformTokens platformTokens;
  private final TrustedProxies proxies;

  public Authenticator(
      TokenStore tokens,
      FailedAuthThrottle throttle,
      PlatformTokens platformTokens,
      TrustedProxies proxies) {
    this.tokens = tokens;
    this.throttle = throttle;
    this.platformTokens = platformTokens;
    this.proxies = proxies;
  }

  /**
   * The caller, who must hold one of {@code roles}.
   *
   * @throws ApiException 401 without a valid token, 403 without any of the roles, 429 when the
   *     address failed too often
   */
  public Caller require(Context ctx, String... roles) {
    Caller caller =
        optional(ctx)
            .orElseThrow(
                () ->
                    new ApiException(
                        HttpStatus.UNAUTHORIZED, "unauthorized", "a bearer token is required"));
    if (Arrays.stream(roles).noneMatch(caller::hasRole)) {
      throw new ApiException(
          HttpStatus.FORBIDDEN, "forbidden", "requires role " + String.join(" or ", roles));
    }
    return caller;
  }

  /**
   * The caller if the request carries a token, else empty.
   *
   * @throws ApiException 401 when a token is present but not valid (unknown, expired, revoked),
   *     429 when the address failed too often
   */
  public Optional<Caller> optional(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    boolean bearer = header.regionMatches(true, 0, BEARER, 0, BEARER.length());
    String token = bearer ? header.substring(BEARER.length()).trim() : "";
    Optional<Caller> caller = token.isEmpty() ? Optional.empty() : tokens.cached(token);
    if (caller.isPresent()) {
      return named(ctx, caller);
    }
    // signed, so a valid one is no guess: not throttled (and never looked up in the database)
    PlatformTokens.Outcome platform = platformTokens.check(token);
    if (platform.caller().isPresent()) {
      return named(ctx, platform.caller());
    }
    // checked before the address's failures: a valid token is never refused by the throttle
    caller = token.isEmpty() ? Optional.empty() : tokens.lookup(token);
    if (caller.isEmpty()) {
      String address = proxies.clientOf(ctx);
      throttle.retryAfter(address).ifPresent(wait -> refuse(ctx, wait));
      throttle.recordFailure(address);
      platform
          .refusal()
          .ifPresent(why -> log.info("Refused a platform token from {}: {}", address, why));
      throw bearer
          ? new ApiException(
              HttpStatus.UNAUTHORIZED, "invalid_token", "the bearer token is not valid")
          : new ApiException(
              HttpStatus.UNAUTHORIZED, "unauthorized", "Authorization must be 'Bearer <token>'");
    }
    return named(ctx, caller);
  }

  /** The caller, named in the request's access log line. */
  private static Optional<Caller> named(Context ctx, Optional<Caller> caller) {
    caller.ifPresent(known -> AccessLog.caller(ctx, known.userId()));
    return caller;
  }

  private static void refuse(Context ctx, Duration wait) {
    throw WindowCounts.tooMany(
        ctx,
        wait,
        "too_many_failed_authentications",
        seconds -> "too many failed authentications from this address; retry in " + seconds + " s");
  }
}
