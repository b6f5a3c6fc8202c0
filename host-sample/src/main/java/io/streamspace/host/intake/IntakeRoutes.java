package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;

/** {@code POST /api/platform/events} and {@code POST /api/platform/admission}. */
public final class IntakeRoutes implements HttpServer.RouteGroup {

  private final EventIntake intake;
  private final AdmissionService admission;
  private final Authenticator auth;
  private final JsonBodies bodies;
  private final IntakeMeters meters;

  public IntakeRoutes(
      EventIntake intake,
      AdmissionService admission,
      Authenticator auth,
      JsonBodies bodies,
      IntakeMeters meters) {
    this.intake = intake;
    this.admission = admission;
    this.auth = auth;
    this.bodies = bodies;
    this.meters = meters;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/platform/events", this::events);
    app.post("/api/platform/admission", this::admission);
  }

  private void events(Context ctx) {
    auth.require(ctx, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN);
    byte[] body = ctx.bodyAsBytes();
    ctx.status(HttpStatus.ACCEPTED).json(meters.batch(() -> intake.receive(body)));
  }

  private void admission(Context ctx) {
    auth.require(ctx, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN);
    JsonNode body = bodies.object(ctx);
    ctx.json(meters.admission(() -> admission.decide(body)));
  }
}
