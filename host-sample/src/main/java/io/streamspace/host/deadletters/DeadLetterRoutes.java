package io.streamspace.host.deadletters;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.intake.EventIntake;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code GET /api/admin/dead-letters}: the events plugins could never store, newest first; and
 * {@code POST /api/admin/dead-letters/{id}/replay}: delivers one to its plugin again, after a fix.
 */
public final class DeadLetterRoutes implements HttpServer.RouteGroup {

  private final DeadLetterStore store;
  private final EventIntake intake;
  private final Authenticator auth;

  public DeadLetterRoutes(DeadLetterStore store, EventIntake intake, Authenticator auth) {
    this.store = store;
    this.intake = intake;
    this.auth = auth;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/dead-letters", this::list);
    app.post("/api/admin/dead-letters/{id}/replay", this::replay);
  }

  private void list(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    Page page = Page.of(ctx::queryParam);
    List<DeadLetter> fetched = store.list(page);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("dead_letters", page.rows(fetched));
    body.put("next_offset", page.nextOffset(fetched));
    ctx.json(body);
  }

  /**
   * Hands the kept event to its plugin's hook again and waits for the plugin's flush: 200 with
   * the dead letter marked {@code replayed} when the plugin stored it; 409 {@code replay_failed}
   * with the new reason when the plugin set it aside again (kept, marked {@code replay_failed}).
   * Replaying a replayed event changes nothing. An event the journal set aside is not replayed:
   * its id stands for another event, which was applied.
   */
  private void replay(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    DeadLetter before = find(ctx.pathParam("id"));
    if (DeadLetterStore.JOURNAL.equals(before.pluginId())) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          "not_replayable",
          "another event was accepted under this id; post this one under an id of its own");
    }
    if (!"replayed".equals(before.replayStatus())) {
      intake.redeliver(before.pluginId(), before.event());
      DeadLetter after = store.find(before.id()).orElseThrow();
      if (after.failures() > before.failures()) {
        store.markReplayFailed(before.id());
        throw new ApiException(
            HttpStatus.CONFLICT,
            "replay_failed",
            "the plugin could not store the event again: " + after.reason());
      }
      store.markReplayed(before.id());
    }
    ctx.json(store.find(before.id()).orElseThrow());
  }

  private DeadLetter find(String pathId) {
    OptionalLong id = PathId.parse(pathId);
    return (id.isPresent() ? store.find(id.getAsLong()) : Optional.<DeadLetter>empty())
        .orElseThrow(() -> ApiException.notFound("no dead letter " + pathId));
  }
}
