package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import io.streamspace.host.auth.AdminToken;
import io.streamspace.host.auth.TokenStore;
import io.streamspace.host.auth.TrustedProxies;
import io.streamspace.host.auth.jwt.PlatformTokens;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.intake.EventIntake;
import io.streamspace.host.plugins.PluginDataPurge;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.host.webhooks.WebhookWorker;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running reference host: PostgreSQL, Quartz, plugins and HTTP. Start one with
 * {@link #start(HostOptions)}; {@link #close()} stops everything it started. Tests and
 * benchmarks drive the host this way, {@link HostMain} does for the command line.
 *
 * <pre>{@code
 * try (Host host = Host.start(HostOptions.builder().port(0).dbUrl(url).clock(clock).build())) {
 *   // http://localhost:host.port()/api/... with "Authorization: Bearer " + BILLING_ADMIN_TOKEN
 * }
 * }</pre>
 */
public final class Host implements AutoCloseable {

  /** The host refuses to start until the operator changes something; the message says what. */
  public static final class StartRefused extends RuntimeException {
    StartRefused(String message) {
      this(message, null);
    }

    /** With the failure behind it, for {@code --debug}. */
    StartRefused(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Host.class);

  /** Closed in reverse order of opening. */
  private final OpenedParts opened = new OpenedParts();

  private Clock clock;
  private String listenAddress;
  private DatabaseWiring database;
  private AuthWiring auth;
  private WebhooksWiring webhooks;
  private PluginsWiring plugins;
  private IntakeWiring intake;
  private HttpWiring http;

  /**
   * Stops the host when the JVM exits (SIGTERM, Ctrl-C): the only hook that stops any part, so
   * that they stop in {@link #close}'s order, the database last. Removed by a close before.
   */
  private final Thread stopAtExit = new Thread(this::close, "host-shutdown");

  private Host(HostOptions options) {
    try {
      startAll(options);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /**
   * The host's table of contents: each feature's wiring builds its part from those before it and
   * opens what must be stopped, in this order, so that they stop in the reverse one.
   */
  private void startAll(HostOptions options) {
    clock = options.clock();
    listenAddress = options.host();
    // Checked before the database starts: refused, the start leaves nothing behind.
    String adminTokenFromEnvironment = AuthWiring.adminTokenFromEnvironment(options);
    HttpWiring.requireFreePort(options.host(), options.port());
    PlatformTokens platformTokens = AuthWiring.platformTokens(options);
    TrustedProxies trustedProxies = AuthWiring.trustedProxies(options);

    database = DatabaseWiring.open(options, opened);
    DataSource dataSource = database.dataSource();
    ObjectMapper mapper = Json.newMapper();
    auth =
        AuthWiring.start(
            options, dataSource, adminTokenFromEnvironment, platformTokens, trustedProxies);
    SecretBox secretBox = SecretsWiring.secretBox(options, database.database());
    webhooks = WebhooksWiring.open(options, dataSource, secretBox, mapper, opened);
    PlatformWiring platform = PlatformWiring.create(clock, webhooks.outbox());
    JournalWiring journal = JournalWiring.open(options, dataSource, mapper, opened);
    plugins = PluginsWiring.open(options, database, mapper, secretBox, platform, journal, opened);
    intake = IntakeWiring.create(options, mapper, journal, plugins, platform);
    http =
        HttpWiring.create(
            options, mapper, database, auth, webhooks, platform, journal, plugins, intake);

    journal.startRetention(options, dataSource, opened);
    // Serve (health answers 503) while plugins start, then let Quartz fire their jobs.
    http.serve(options.host(), options.port(), opened);
    plugins.start();
    webhooks.startDelivering(options.webhookDeliveryInterval());
    // Closed first: no change from another node is applied while the plugins unload.
    plugins.watchOtherNodes(opened);
    log.info("Host listening on port {} of {}", http.port(), options.host());
  }

  /**
   * Starts a host and returns once its plugins are started and it serves HTTP.
   *
   * @throws StartRefused when the operator must change the environment first (one line says what)
   * @throws RuntimeException when any part fails to start; what had started is stopped
   */
  public static Host start(HostOptions options) {
    return new Host(options);
  }

  /** The HTTP port it listens on. */
  public int port() {
    return http.port();
  }

  /** The address it listens on, as given ({@link HostOptions#host}). */
  public String listenAddress() {
    return listenAddress;
  }

  /**
   * Where a client on this machine reaches it: {@code http://localhost:port} when it listens on
   * loopback or every interface, else on the address it listens on.
   */
  public String url() {
    return HttpWiring.url(listenAddress, port());
  }

  /**
   * A bearer token with the admin role: {@code BILLING_ADMIN_TOKEN}, or the one generated by this
   * start. Empty when the generated admin token was created (and shown) by an earlier start: only
   * its hash is kept.
   */
  public Optional<String> adminToken() {
    return auth.adminToken().secret();
  }

  /** True when no {@code BILLING_ADMIN_TOKEN} was set, so the admin token is the generated one. */
  public boolean adminTokenGenerated() {
    return auth.adminToken().generated();
  }

  /** The admin token's id, as {@code GET /api/admin/tokens} lists it. */
  public long adminTokenId() {
    return auth.adminToken().id();
  }

  /** The admin token as this start settled it, and what the operator is told of it. */
  AdminToken settledAdminToken() {
    return auth.adminToken();
  }

  /** The host's routes as Javalin registered them. */
  List<ApiRoute> httpRoutes() {
    return http.server().routes();
  }

  /** The routes and descriptions of the started plugins. */
  PluginRouteTable pluginRoutes() {
    return plugins.routes();
  }

  /** The webhook delivery worker; tests whose host delivers on no schedule call its runOnce. */
  public WebhookWorker webhooks() {
    return webhooks.worker();
  }

  Clock clock() {
    return clock;
  }

  /** The pool every part of the host and its plugins uses (closed with the host). */
  /** The host's database (the benchmark module reads its figures there). */
  public DataSource dataSource() {
    return database.dataSource();
  }

  TokenStore tokens() {
    return auth.tokens();
  }

  /** The loaded plugins (the benchmark module asks their admission checks in process). */
  public PluginRegistry plugins() {
    return plugins.registry();
  }

  PluginDataPurge pluginDataPurge() {
    return plugins.dataPurge();
  }

  EventIntake intake() {
    return intake.intake();
  }

  /**
   * Stops in reverse order of starting: intake and every other route first (new requests refused,
   * those in flight answered, for at most {@link HttpServer#DRAIN}), Quartz (jobs running waited
   * for, at most {@link io.streamspace.host.jobs.HostScheduler#RUNNING_JOBS_WAIT}), then each
   * plugin: its journal consumer ends its round and hands its lease back, the plugin unloads
   * (its queues flushed); then the webhooks, the pool and the database. Also run at JVM exit.
   */
  @Override
  public void close() {
    opened.close();
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: this is the hook, or it runs it next and finds nothing left to stop
    }
  }
}
