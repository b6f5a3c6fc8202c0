package io.streamspace.host.intake;

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

  public IntakeRoutes(
      EventIntake intake, AdmissionService admission, Authenticator auth, JsonBodies bodies) {
    this.intake = intake;
    this.admission = admission;
    this.auth = auth;
    this.bodies = bodies;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/platform/events", this::events);
    app.post("/api/platform/admission", this::admission);
  }

  private void events(Context ctx) {
    auth.require(ctx, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN);
    ctx.status(HttpStatus.ACCEPTED).json(intake.receive(ctx.bodyAsBytes()));
  }

  private void admission(Context ctx) {
    auth.require(ctx, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN);
    ctx.json(admission.decide(bodies.object(ctx)));
  }
}
