package io.streamspace.host.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.http.ApiException;
import io.streamspace.host.http.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.http.Caller;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** {@code POST /api/admin/tokens}: admins issue bearer tokens. */
public final class TokenRoutes implements HttpServer.RouteGroup {

  /** The answer: the token is shown this once and never stored. */
  record IssuedToken(String token, String userId, List<String> roles) {}

  private final TokenStore tokens;
  private final Authenticator auth;
  private final JsonBodies bodies;

  public TokenRoutes(TokenStore tokens, Authenticator auth, JsonBodies bodies) {
    this.tokens = tokens;
    this.auth = auth;
    this.bodies = bodies;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/admin/tokens", this::issue);
  }

  private void issue(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    JsonNode body = bodies.object(ctx);
    JsonNode userId = body.get("user_id");
    if (userId == null || !userId.isTextual() || userId.asText().isBlank()) {
      throw ApiException.badRequest("invalid_request", "user_id is required", "user_id");
    }
    JsonNode roles = body.get("roles");
    if (roles == null || !roles.isArray() || roles.isEmpty()) {
      throw ApiException.badRequest("invalid_request", "roles must be a non-empty array", "roles");
    }
    Set<String> granted = new TreeSet<>();
    for (JsonNode role : roles) {
      if (!TokenStore.ROLES.contains(role.asText()) || !role.isTextual()) {
        throw ApiException.badRequest(
            "invalid_request", "unknown role " + role + "; use user, platform or admin", "roles");
      }
      granted.add(role.asText());
    }
    String token = tokens.issue(userId.asText(), granted);
    ctx.status(201).json(new IssuedToken(token, userId.asText(), List.copyOf(granted)));
  }
}
