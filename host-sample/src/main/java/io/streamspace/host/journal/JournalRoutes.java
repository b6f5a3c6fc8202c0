package io.streamspace.host.journal;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.plugins.ManagedPlugin;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/admin/journal}: the journaled events behind a user's or a session's usage, so
 * that support can answer "why was I billed this"; and {@code POST
 * /api/admin/plugins/{id}/journal/replay}: hands a disabled plugin again what the journal
 * retains, from a time on, when it is next enabled.
 */
public final class JournalRoutes implements HttpServer.RouteGroup {

  /** One journaled event as support sees it: the event as the platform posted it. */
  record JournaledView(long seq, Instant journaledAt, Object event) {}

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private final Journal journal;
  private final PluginRegistry plugins;
  private final Authenticator auth;
  private final JsonBodies bodies;

  public JournalRoutes(
      Journal journal, PluginRegistry plugins, Authenticator auth, JsonBodies bodies) {
    this.journal = journal;
    this.plugins = plugins;
    this.auth = auth;
    this.bodies = bodies;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/journal", this::find);
    app.post("/api/admin/plugins/{id}/journal/replay", this::replay);
  }

  /**
   * {@code ?user_id=&session_id=&from=&to=&limit=&offset=}: the events of a user (or of one
   * session) that occurred in {@code [from, to)}, oldest first; 400 naming the parameter when
   * neither id is given or a time is not an ISO-8601 instant.
   */
  private void find(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    String userId = QueryParams.of(ctx::queryParam, "user_id").orElse(null);
    String sessionId = QueryParams.of(ctx::queryParam, "session_id").orElse(null);
    if (userId == null && sessionId == null) {
      throw ApiException.badRequest(
          "invalid_parameter", "give user_id, session_id or both", "user_id");
    }
    Instant from = instant(ctx, "from", EARLIEST);
    Instant to = instant(ctx, "to", LATEST);
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("invalid_parameter", "from must be before to", "from");
    }
    Page page = Page.of(ctx::queryParam);
    List<EventJournal.Journaled> fetched =
        journal.find(userId, sessionId, from, to, page.fetch(), page.offset());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "events",
        page.rows(fetched).stream()
            .map(j -> new JournaledView(j.seq(), j.journaledAt(), bodies.tree(j.entry().body())))
            .toList());
    body.put("next_offset", page.nextOffset(fetched));
    ctx.json(body);
  }

  /**
   * {@code {"from"?}}: moves the plugin's place in the journal back to the first entry journaled
   * at or after {@code from} (default: the oldest the journal retains); 200 with the new {@code
   * position} (on Kafka, {@code positions} by partition: the offset of the last record it will
   * not be handed again, -1 before the first). The
   * plugin must be disabled (409 {@code plugin_enabled} otherwise): enabling it then hands it
   * everything since, which its natural keys make harmless to see twice.
   */
  private void replay(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    String id = ctx.pathParam("id");
    ManagedPlugin plugin =
        plugins.find(id).orElseThrow(() -> ApiException.notFound("no plugin " + id));
    if (plugin.enabled()) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          "plugin_enabled",
          "disable plugin " + id + " first, then replay, then enable it");
    }
    Instant from = EARLIEST;
    JsonNode given = bodies.optionalObject(ctx).map(body -> body.get("from")).orElse(null);
    if (given != null && !given.isNull()) {
      from = parse(given.isTextual() ? given.asText() : "", "from");
    }
    Map<Integer, Long> positions = journal.rewind(id, from);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("plugin_id", id);
    if (positions.keySet().equals(Set.of(0))) {
      body.put("position", positions.get(0));
    } else {
      // a journal of partitions (Kafka): the plugin's place in each
      body.put("positions", new TreeMap<>(positions));
    }
    ctx.json(body);
  }

  private static Instant instant(Context ctx, String name, Instant fallback) {
    return QueryParams.of(ctx::queryParam, name).map(value -> parse(value, name)).orElse(fallback);
  }

  private static Instant parse(String value, String name) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "invalid_parameter",
          name + " must be an ISO-8601 instant such as 2026-03-01T00:00:00Z",
          name);
    }
  }
}
