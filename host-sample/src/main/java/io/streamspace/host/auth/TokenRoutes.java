package io.streamspace.host.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.PathId;
import io.streamspace.host.auth.jwt.PlatformTokens;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admins issue ({@code POST /api/admin/tokens}), list ({@code GET}) and revoke
 * ({@code DELETE /api/admin/tokens/{id}}) bearer tokens.
 */
public final class TokenRoutes implements HttpServer.RouteGroup {

  /** The answer to an issue: the token is shown this once and never stored. */
  record IssuedToken(
      long id,
      String token,
      String userId,
      List<String> roles,
      Instant createdAt,
      Instant expiresAt) {}

  private static final Logger log = LoggerFactory.getLogger(TokenRoutes.class);

  /** The last instant PostgreSQL and every client parse alike: later expiries are refused. */
  private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

  private final TokenStore tokens;
  private final Authenticator auth;
  private final JsonBodies bodies;
  private final Clock clock;
  private final TokenMintingLimit mintingLimit;

  public TokenRoutes(TokenStore tokens, Authenticator auth, JsonBodies bodies, Clock clock) {
    this.tokens = tokens;
    this.auth = auth;
    this.bodies = bodies;
    this.clock = clock;
    this.mintingLimit = new TokenMintingLimit(clock);
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/admin/tokens", this::issue);
    app.get("/api/admin/tokens", this::list);
    app.delete("/api/admin/tokens/{id}", this::revoke);
  }

  private void issue(Context ctx) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    mintingLimit.require(ctx, admin.userId());
    JsonNode body = bodies.object(ctx);
    JsonNode userId = body.get("user_id");
    if (userId == null
        || !userId.isTextual()
        || userId.asText().isBlank()
        || PlatformTokens.hasControlCharacter(userId.asText())) {
      throw ApiException.badRequest(
          "invalid_request",
          "user_id is required, as text without control characters, bidirectional controls or"
              + " line separators",
          "user_id");
    }
    JsonNode roles = body.get("roles");
    if (roles == null || !roles.isArray() || roles.isEmpty()) {
      throw ApiException.badRequest("invalid_request", "roles must be a non-empty array", "roles");
    }
    Set<String> granted = new TreeSet<>();
    for (JsonNode role : roles) {
      if (!role.isTextual() || !TokenStore.ROLES.contains(role.asText())) {
        throw ApiException.badRequest(
            "invalid_request",
            "unknown role " + role + "; use user, platform, admin or creator",
            "roles");
      }
      granted.add(role.asText());
    }
    Instant expiresAt = expiresAt(body.get("expires_at"));
    TokenStore.NewToken issued = tokens.issue(userId.asText(), granted, expiresAt);
    mintingLimit.minted(admin.userId());
    TokenStore.TokenInfo info = issued.info();
    log.info(
        "Token {} issued to {} with roles {} by {}",
        info.id(),
        info.userId(),
        info.roles(),
        admin.userId());
    ctx.status(HttpStatus.CREATED)
        .json(
            new IssuedToken(
                info.id(),
                issued.token(),
                info.userId(),
                info.roles(),
                info.createdAt(),
                info.expiresAt()));
  }

  /** Absent or null: no expiry. Else an ISO-8601 instant in the future. */
  private Instant expiresAt(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    Instant expiresAt;
    try {
      if (!value.isTextual()) {
        throw new DateTimeParseException("not text", value.toString(), 0);
      }
      expiresAt = Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "invalid_request",
          "expires_at must be an ISO-8601 instant, like 2026-12-31T00:00:00Z",
          "expires_at");
    }
    if (!expiresAt.isAfter(clock.instant())) {
      throw ApiException.badRequest(
          "invalid_request", "expires_at must be in the future", "expires_at");
    }
    if (expiresAt.isAfter(LATEST_EXPIRY)) {
      throw ApiException.badRequest(
          "invalid_request", "expires_at must be before the year 10000", "expires_at");
    }
    return expiresAt;
  }

  private void list(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ctx.json(Map.of("tokens", tokens.list()));
  }

  /** 204 whether or not it was revoked already; 404 for an id that is not a known token's. */
  private void revoke(Context ctx) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    String id = ctx.pathParam("id");
    OptionalLong tokenId = PathId.parse(id);
    if (tokenId.isEmpty() || !tokens.revoke(tokenId.getAsLong())) {
      throw ApiException.notFound("no token " + id);
    }
    log.info("Token {} revoked by {}", id, admin.userId());
    ctx.status(HttpStatus.NO_CONTENT);
  }
}
