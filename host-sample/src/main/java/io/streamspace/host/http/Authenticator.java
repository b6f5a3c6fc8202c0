package io.streamspace.host.http;

import io.javalin.http.Context;
import io.streamspace.host.auth.TokenStore;
import io.streamspace.plugin.api.http.Caller;
import java.util.Arrays;
import java.util.Optional;

/** Resolves the {@code Authorization: Bearer} token of a request and checks roles. */
public final class Authenticator {

  private static final String BEARER = "bearer ";

  private final TokenStore tokens;

  public Authenticator(TokenStore tokens) {
    this.tokens = tokens;
  }

  /**
   * The caller, who must hold one of {@code roles}.
   *
   * @throws ApiException 401 without a known token, 403 without any of the roles
   */
  public Caller require(Context ctx, String... roles) {
    Caller caller =
        optional(ctx)
            .orElseThrow(() -> new ApiException(401, "unauthorized", "a bearer token is required"));
    if (Arrays.stream(roles).noneMatch(caller::hasRole)) {
      throw new ApiException(403, "forbidden", "requires role " + String.join(" or ", roles));
    }
    return caller;
  }

  /**
   * The caller if the request carries a token, else empty.
   *
   * @throws ApiException 401 when a token is present but unknown
   */
  public Optional<Caller> optional(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new ApiException(401, "unauthorized", "Authorization must be 'Bearer <token>'");
    }
    String token = header.substring(BEARER.length()).trim();
    Optional<Caller> caller = token.isEmpty() ? Optional.empty() : tokens.lookup(token);
    if (caller.isEmpty()) {
      throw new ApiException(401, "invalid_token", "the bearer token is not valid");
    }
    return caller;
  }
}
