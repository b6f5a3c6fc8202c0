package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.auth.TokenRoutes;
import io.streamspace.host.auth.TokenStore;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.deadletters.DeadLetterRoutes;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.http.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.Json;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.intake.AdmissionService;
import io.streamspace.host.intake.EventIntake;
import io.streamspace.host.intake.IntakeRoutes;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.platform.EventLog;
import io.streamspace.host.platform.PlatformAdminRoutes;
import io.streamspace.host.platform.SessionTracker;
import io.streamspace.host.plugins.HealthRoutes;
import io.streamspace.host.plugins.PluginAdminRoutes;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.host.plugins.PluginRequestRoutes;
import io.streamspace.plugin.api.http.Caller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running reference host: PostgreSQL, Quartz, plugins and HTTP. Start one with
 * {@link #start(HostOptions)}; {@link #close()} stops everything it started. Tests and
 * benchmarks drive the host this way, {@link HostMain} does for the command line.
 *
 * <pre>{@code
 * try (Host host = Host.start(HostOptions.builder().port(0).dbUrl(url).clock(clock).build())) {
 *   // http://localhost:host.port()/api/... with "Authorization: Bearer " + host.adminToken()
 * }
 * }</pre>
 */
public final class Host implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Host.class);
  static final String ADMIN_TOKEN_ENV = "BILLING_ADMIN_TOKEN";

  /** Closed in reverse order of opening. */
  private final List<AutoCloseable> opened = new ArrayList<>();
  private String adminToken;
  private boolean adminTokenGenerated;
  private TokenStore tokens;
  private PluginRegistry plugins;
  private EventIntake intake;
  private HttpServer http;
  private Clock clock;

  private Host(HostOptions options) {
    try {
      startAll(options);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void startAll(HostOptions options) {
    clock = options.clock();
    Database database = open(openDatabase(options));
    HostMigrations.migrate(database.dataSource());
    ObjectMapper mapper = Json.newMapper();
    tokens = new TokenStore(database.dataSource(), options.clock());
    String fromEnv = options.secrets().get(ADMIN_TOKEN_ENV);
    adminTokenGenerated = fromEnv == null || fromEnv.isBlank();
    Set<String> adminRoles = Set.of(Caller.ROLE_ADMIN);
    if (adminTokenGenerated) {
      adminToken = tokens.issue("admin", adminRoles);
    } else {
      adminToken = fromEnv;
      tokens.register(adminToken, "admin", adminRoles);
    }
    EventLog events = new EventLog(options.clock());
    SessionTracker sessions = new SessionTracker(events.publisherFor("host"));
    PluginRouteTable routes = new PluginRouteTable();
    DeadLetterStore deadLetters = new DeadLetterStore(database.dataSource(), options.clock(), mapper);
    PluginRegistry[] registryRef = new PluginRegistry[1];
    HostScheduler scheduler =
        new HostScheduler(
            database.dataSource(),
            options.clock(),
            pluginId -> registryRef[0] != null && registryRef[0].isStarted(pluginId));
    plugins =
        new PluginRegistry(
            options.pluginsDir(),
            options.inProcessPlugins(),
            new PluginRegistry.Services(
                database.dataSource(), options.clock(), options.secrets(), mapper, scheduler, routes, events, sessions,
                deadLetters::forPlugin));
    registryRef[0] = plugins;
    // Closed in reverse: Quartz (waiting for running jobs) before the plugins unload.
    open(plugins);
    open(scheduler);
    intake = new EventIntake(mapper, options.clock(), options.maxEventAge(), plugins, sessions);
    Authenticator auth = new Authenticator(tokens);
    JsonBodies bodies = new JsonBodies(mapper);
    http =
        new HttpServer(
            mapper,
            new HealthRoutes(plugins),
            new TokenRoutes(tokens, auth, bodies),
            new IntakeRoutes(intake, new AdmissionService(plugins), auth, bodies),
            new PlatformAdminRoutes(events, sessions, auth, bodies),
            new PluginAdminRoutes(plugins, auth, bodies),
            new DeadLetterRoutes(deadLetters, intake, auth),
            new PluginRequestRoutes(plugins, routes, auth));
    // Serve (health answers 503) while plugins start, then let Quartz fire their jobs.
    http.start(options.port());
    open(http);
    plugins.startAll();
    scheduler.start();
    log.info("Host listening on port {}", http.port());
  }

  /**
   * Starts a host and returns once its plugins are started and it serves HTTP.
   *
   * @throws RuntimeException when any part fails to start; what had started is stopped
   */
  public static Host start(HostOptions options) {
    return new Host(options);
  }

  private static Database openDatabase(HostOptions options) {
    String url = options.dbUrl() != null ? options.dbUrl() : options.secrets().get("BILLING_DB_URL");
    if (url != null && !url.isBlank()) {
      return Database.external(url, options.secrets());
    }
    return Database.embedded(options.dataDir());
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.add(0, resource);
    return resource;
  }

  /** The HTTP port it listens on. */
  public int port() {
    return http.port();
  }

  /** A bearer token with the admin role: {@code BILLING_ADMIN_TOKEN}, or one generated at start. */
  public String adminToken() {
    return adminToken;
  }

  /** True when {@link #adminToken()} was generated (so the operator must be shown it). */
  public boolean adminTokenGenerated() {
    return adminTokenGenerated;
  }

  Clock clock() {
    return clock;
  }

  TokenStore tokens() {
    return tokens;
  }

  PluginRegistry plugins() {
    return plugins;
  }

  EventIntake intake() {
    return intake;
  }

  /** Stops HTTP, Quartz (waiting for running jobs), the plugins and the database. */
  @Override
  public void close() {
    for (AutoCloseable resource : opened) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("Failed to stop {}", resource.getClass().getSimpleName(), e);
      }
    }
    opened.clear();
  }
}
