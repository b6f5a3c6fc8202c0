package io.streamspace.host.platform;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.QueryParams;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.http.Caller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Admin views of what plugins did to the platform: published events and tracked sessions. */
public final class PlatformAdminRoutes implements HttpServer.RouteGroup {

  record EventView(String source, String type, JsonNode payload, Instant publishedAt) {}

  private final EventLog events;
  private final SessionTracker sessions;
  private final Authenticator auth;
  private final JsonBodies bodies;

  public PlatformAdminRoutes(
      EventLog events, SessionTracker sessions, Authenticator auth, JsonBodies bodies) {
    this.events = events;
    this.sessions = sessions;
    this.auth = auth;
    this.bodies = bodies;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/events", this::listEvents);
    app.get("/api/admin/sessions", this::listSessions);
  }

  /** What {@code GET /api/admin/events} shows, said in its answer ({@code kept}). */
  static final String KEPT =
      String.format(
          Locale.ROOT,
          "the last %,d events plugins published on this node since it started (since), kept in"
              + " its memory only: a restart starts the list again, and another node keeps its"
              + " own; to keep events, subscribe a webhook endpoint to them"
              + " (POST /api/admin/webhooks)",
          EventLog.CAPACITY);

  private void listEvents(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    List<EventView> views =
        events.recent(QueryParams.of(ctx::queryParam, "type").orElse(null)).stream()
            .map(
                e ->
                    new EventView(
                        e.source(), e.type(), bodies.tree(e.payloadJson()), e.publishedAt()))
            .toList();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("events", views);
    answer.put("since", events.since());
    answer.put("kept", KEPT);
    ctx.json(answer);
  }

  private void listSessions(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ctx.json(Map.of("sessions", sessions.all()));
  }
}
