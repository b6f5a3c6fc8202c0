package io.streamspace.host.plugins;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/health}, no token needed: 200 once plugins are started and the database
 * answers; 503 while plugins start or while the database is unavailable. Each installed plugin
 * shows how far behind the event journal it is; to the platform admin (a request with the admin's
 * token), also the state of each secret its config declares ({@link SecretState}, the rule the
 * config route masks by). Anyone else is not told which secrets are configured: that is the
 * operator's business, and the probes need none of it.
 *
 * <p>The probes of an orchestrator (Kubernetes), no token needed either: {@code
 * /api/health/live} answers 200 while the process serves, touching nothing else (a database
 * outage is no reason to restart the host); {@code /api/health/ready} answers 200 only when
 * {@link Readiness} says so, else 503 with the reasons.
 */
public final class HealthRoutes implements HttpServer.RouteGroup {

  /**
   * Journal entries not yet consumed, and for how long, in seconds ({@link JournalLag}); on Kafka,
   * also per partition (not shown for the PostgreSQL journal). Not who consumes.
   */
  record Lag(
      long events,
      long seconds,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PartitionBehind> partitions) {}

  /** Records of one partition of the Kafka journal not yet consumed. */
  record PartitionBehind(int partition, long events) {}

  /**
   * @param secrets each secret key the plugin declares and its {@link SecretState} ({@code set},
   *     {@code missing}, {@code unreadable}), as the config route masks it; never a value. Null
   *     (left out) unless the caller is the platform admin
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PluginHealth(
      String id, String version, String state, Lag lag, Map<String, String> secrets) {}

  /** On the Kafka journal, how far its index (support's search) is behind the topic. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record JournalHealth(Lag index) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Health(
      String status, String database, List<PluginHealth> plugins, JournalHealth journal) {}

  record Probe(String status, List<String> reasons) {}

  private final PluginRegistry registry;
  private final Authenticator auth;
  private final BooleanSupplier databaseAvailable;
  private final JournalLag.Lookup journalLag;
  private final Supplier<Optional<JournalLag>> indexLag;
  private final Readiness readiness = new Readiness();

  public HealthRoutes(
      PluginRegistry registry,
      Authenticator auth,
      BooleanSupplier databaseAvailable,
      JournalLag.Lookup journalLag,
      Supplier<Optional<JournalLag>> indexLag) {
    this.registry = registry;
    this.auth = auth;
    this.databaseAvailable = databaseAvailable;
    this.journalLag = journalLag;
    this.indexLag = indexLag;
  }

  /** The lag as {@code /api/health} shows it: not who consumes. */
  static Lag shown(JournalLag lag) {
    return lag == null
        ? null
        : new Lag(
            lag.events(),
            lag.seconds(),
            lag.partitions().stream()
                .map(p -> new PartitionBehind(p.partition(), p.events()))
                .toList());
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
    app.get("/api/health/live", ctx -> ctx.json(new Probe("alive", List.of())));
    app.get("/api/health/ready", this::ready);
  }

  private void ready(Context ctx) {
    List<String> reasons = notReadyBecause();
    if (reasons.isEmpty()) {
      ctx.json(new Probe("ready", reasons));
    } else {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(new Probe("not_ready", reasons));
    }
  }

  private List<String> notReadyBecause() {
    boolean pluginsStarted = registry.ready();
    boolean databaseAnswers = pluginsStarted && databaseAvailable.getAsBoolean();
    return readiness.notReadyBecause(
        pluginsStarted, databaseAnswers, databaseAnswers ? enabledPlugins() : List.of());
  }

  /** The installed and enabled plugins, with their state and journal lag. */
  private List<Readiness.EnabledPlugin> enabledPlugins() {
    List<ManagedPlugin> enabled =
        registry.all().stream().filter(p -> p.installed() && p.enabled()).toList();
    Map<String, JournalLag> lag = journalLag.of(enabled.stream().map(ManagedPlugin::id).toList());
    return enabled.stream()
        .map(
            p ->
                new Readiness.EnabledPlugin(
                    p.id(),
                    p.state() == ManagedPlugin.State.STARTED,
                    p.state().label(),
                    lag.get(p.id())))
        .toList();
  }

  private void health(Context ctx) {
    String database = databaseAvailable.getAsBoolean() ? "ok" : "unavailable";
    if (!registry.ready()) {
      HttpServer.retryAfter(ctx);
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(new Health("starting", database, List.of(), null));
      return;
    }
    boolean admin = isAdmin(ctx);
    List<ManagedPlugin> installed =
        registry.all().stream().filter(ManagedPlugin::installed).toList();
    Map<String, JournalLag> lag =
        database.equals("ok")
            ? journalLag.of(installed.stream().map(ManagedPlugin::id).toList())
            : Map.of();
    List<PluginHealth> plugins =
        installed.stream()
            .map(
                p ->
                    new PluginHealth(
                        p.id(),
                        p.descriptor().version(),
                        p.state().label(),
                        shown(lag.get(p.id())),
                        admin ? registry.secretStates(p.id()) : null))
            .toList();
    if (database.equals("ok")) {
      JournalHealth journal = indexLag.get().map(l -> new JournalHealth(shown(l))).orElse(null);
      ctx.json(new Health("ok", database, plugins, journal));
    } else {
      HttpServer.retryAfter(ctx);
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(new Health("unavailable", database, plugins, null));
    }
  }

  /**
   * Whether the request carries the platform admin's token. A health check answers whatever
   * token it carries: a token that is not valid (counted by the throttle as any failure) only
   * leaves the secrets out.
   */
  private boolean isAdmin(Context ctx) {
    try {
      return auth.optional(ctx).map(Caller::isAdmin).orElse(false);
    } catch (ApiException notValid) {
      return false;
    }
  }
}
