package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.auth.FailedAuthThrottle;
import io.streamspace.host.auth.TokenRoutes;
import io.streamspace.host.auth.TokenStore;
import io.streamspace.host.auth.jwt.PlatformTokens;
import io.streamspace.host.catalog.CatalogRoutes;
import io.streamspace.host.catalog.PluginApiVersion;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.RepositoryReleases;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.deadletters.DeadLetterRoutes;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.Json;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.idempotency.IdempotencyKeys;
import io.streamspace.host.idempotency.IdempotentPosts;
import io.streamspace.host.intake.AdmissionService;
import io.streamspace.host.intake.EventIntake;
import io.streamspace.host.intake.IntakeRoutes;
import io.streamspace.host.intake.JournalHandoff;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalBacklog;
import io.streamspace.host.journal.JournalConsumers;
import io.streamspace.host.journal.JournalRetention;
import io.streamspace.host.journal.JournalRoutes;
import io.streamspace.host.metrics.HostMetrics;
import io.streamspace.host.metrics.IntakeMeters;
import io.streamspace.host.metrics.JobMeters;
import io.streamspace.host.metrics.MetricsRoutes;
import io.streamspace.host.openapi.ApiDescription;
import io.streamspace.host.openapi.ApiDescriptionRoutes;
import io.streamspace.host.platform.EventLog;
import io.streamspace.host.platform.PlatformAdminRoutes;
import io.streamspace.host.platform.SessionTracker;
import io.streamspace.host.plugins.HealthRoutes;
import io.streamspace.host.plugins.ManagedPlugin;
import io.streamspace.host.plugins.PluginAdminRoutes;
import io.streamspace.host.plugins.PluginDataPurge;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.host.plugins.PluginRequestRoutes;
import io.streamspace.host.plugins.PluginStateWatch;
import io.streamspace.host.plugins.StoredSecrets;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.host.secrets.SecretsKey;
import io.streamspace.host.webhooks.WebhookDestinations;
import io.streamspace.host.webhooks.WebhookEndpoints;
import io.streamspace.host.webhooks.WebhookOutbox;
import io.streamspace.host.webhooks.WebhookRoutes;
import io.streamspace.host.webhooks.WebhookWorker;
import io.streamspace.plugin.api.http.Caller;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
  static final String ADMIN_TOKEN_ENV = "BILLING_ADMIN_TOKEN";

  /** 32 characters of base64 carry 192 bits: no guessing, throttled or not. */
  static final int MIN_ADMIN_TOKEN_LENGTH = 32;

  private static final String ADMIN_USER = "admin";
  private static final Set<String> ADMIN_ROLES = Set.of(Caller.ROLE_ADMIN);

  /** Closed in reverse order of opening. */
  private final List<AutoCloseable> opened = new ArrayList<>();

  private String adminToken;
  private boolean adminTokenGenerated;
  private long adminTokenId;
  private TokenStore tokens;
  private PluginRegistry plugins;
  private PluginDataPurge pluginDataPurge;
  private EventIntake intake;
  private HttpServer http;
  private PluginRouteTable pluginRoutes;
  private Clock clock;
  private DataSource dataSource;
  private WebhookWorker webhooks;

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
    String fromEnvironment = environmentAdminToken(options.secrets());
    requireFreePort(options.port());
    PlatformTokens platformTokens = platformTokens(options);
    Database database = open(openDatabase(options));
    dataSource = database.dataSource();
    // closed after the pool, whose meters it holds
    HostMetrics metrics = new HostMetrics();
    opened.add(metrics);
    database.recordPoolMetrics(metrics.registry());
    HostMigrations.migrate(database.dataSource());
    ObjectMapper mapper = Json.newMapper();
    tokens = new TokenStore(database.dataSource(), options.clock());
    settleAdminToken(fromEnvironment);
    SecretBox secretBox = new SecretBox(secretsKeySource(options, database));
    WebhookEndpoints webhookEndpoints =
        new WebhookEndpoints(database.dataSource(), options.clock(), secretBox);
    WebhookDestinations destinations = WebhookDestinations.from(options.secrets());
    webhooks =
        open(
            new WebhookWorker(
                database.dataSource(), webhookEndpoints, destinations, options.clock()));
    EventLog events =
        new EventLog(options.clock(), new WebhookOutbox(database.dataSource(), mapper));
    SessionTracker sessions = new SessionTracker(events.publisherFor("host"));
    PluginRouteTable routes = new PluginRouteTable();
    pluginRoutes = routes;
    DeadLetterStore deadLetters =
        new DeadLetterStore(database.dataSource(), options.clock(), mapper);
    EventJournal journal = new EventJournal(database.dataSource(), options.clock());
    JournalConsumers consumers =
        open(
            new JournalConsumers(
                journal,
                database.dataSource(),
                new JournalHandoff(mapper, options.clock()),
                options.clock()));
    HostScheduler scheduler =
        new HostScheduler(database.dataSource(), options.clock(), consumers.node());
    RepositoryReleases repositories =
        new RepositoryReleases(
            options.pluginRepositories(), options.pluginsDir(), PluginApiVersion.current());
    PluginReleases releases =
        options.pluginReleases() == null ? repositories : options.pluginReleases();
    plugins =
        new PluginRegistry(
            options.pluginsDir(),
            options.inProcessPlugins(),
            new PluginRegistry.Services(
                database.dataSource(),
                options.clock(),
                options.secrets(),
                mapper,
                scheduler,
                routes,
                events,
                sessions,
                deadLetters::forPlugin,
                consumers,
                secretBox,
                releases,
                metrics::forPlugin));
    pluginDataPurge = new PluginDataPurge(database.dataSource(), scheduler);
    // Closed in reverse: Quartz (waiting for running jobs) before the plugins unload.
    open(plugins);
    open(scheduler);
    scheduler.onRunRecorded(new JobMeters(metrics.registry())::recorded);
    metrics.journalLag(
        consumers,
        () ->
            plugins.all().stream()
                .filter(ManagedPlugin::installed)
                .map(ManagedPlugin::id)
                .toList());
    intake =
        new EventIntake(
            mapper,
            options.clock(),
            options.maxEventAge(),
            journal,
            consumers,
            new JournalBacklog(database.dataSource(), options.maxJournalLag()),
            plugins,
            sessions);
    Authenticator auth =
        new Authenticator(tokens, new FailedAuthThrottle(options.clock()), platformTokens);
    JsonBodies bodies = new JsonBodies(mapper);
    http =
        new HttpServer(
            mapper,
            new HealthRoutes(plugins, database::isAvailable, consumers),
            new TokenRoutes(tokens, auth, bodies, options.clock()),
            new IntakeRoutes(
                intake,
                new AdmissionService(plugins),
                auth,
                bodies,
                new IntakeMeters(metrics.registry())),
            new MetricsRoutes(metrics, auth, options.secrets()),
            new PlatformAdminRoutes(events, sessions, auth, bodies),
            new WebhookRoutes(webhookEndpoints, webhooks, destinations, auth, bodies),
            new PluginAdminRoutes(plugins, releases, auth, bodies, consumers),
            new CatalogRoutes(repositories, plugins, auth, bodies, consumers),
            new DeadLetterRoutes(deadLetters, intake, auth),
            new JournalRoutes(journal, consumers, plugins, auth, bodies),
            new ApiDescriptionRoutes(
                new ApiDescription(mapper, routes, plugins::isStarted), mapper),
            new PluginRequestRoutes(
                plugins,
                routes,
                auth,
                new IdempotentPosts(
                    new IdempotencyKeys(database.dataSource(), options.clock(), mapper))));
    open(new JournalRetention(database.dataSource(), options.clock(), options.maxEventAge()))
        .start();
    // Serve (health answers 503) while plugins start, then let Quartz fire their jobs.
    http.start(options.port());
    open(http);
    plugins.startAll();
    scheduler.start(plugins::isStarted);
    webhooks.start(options.webhookDeliveryInterval());
    // Closed first: no change from another node is applied while the plugins unload.
    open(new PluginStateWatch(plugins)).start();
    log.info("Host listening on port {}", http.port());
  }

  /**
   * The key stored secrets are encrypted with (see {@link SecretsKey#source}).
   *
   * @throws StartRefused when {@code STREAMSPACE_SECRETS_KEY} is no key, or when it is unset and
   *     secrets are stored but the key file is gone (a new key would not read them)
   */
  private static Supplier<SecretsKey> secretsKeySource(HostOptions options, Database database) {
    try {
      return SecretsKey.source(
          options.secrets(), options.dataDir(), StoredSecrets.sealedWith(database.dataSource()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new StartRefused(e.getMessage());
    }
  }

  /**
   * The platform's own sign-in ({@code STREAMSPACE_JWT_*}), its JWKS fetched once now (an
   * unreachable one is logged, not a reason to refuse the start).
   *
   * @throws StartRefused when a variable is missing or not valid
   */
  private static PlatformTokens platformTokens(HostOptions options) {
    PlatformTokens platformTokens;
    try {
      platformTokens = PlatformTokens.from(options.secrets(), options.clock());
    } catch (IllegalArgumentException e) {
      throw new StartRefused(e.getMessage());
    }
    platformTokens.fetchKeys();
    return platformTokens;
  }

  /**
   * {@code BILLING_ADMIN_TOKEN}, or null when unset or blank; checked before anything starts.
   *
   * @throws StartRefused when it is too short to be safe
   */
  private static String environmentAdminToken(Map<String, String> secrets) {
    String token = secrets.get(ADMIN_TOKEN_ENV);
    if (token == null || token.isBlank()) {
      return null;
    }
    if (token.length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new StartRefused(
          ADMIN_TOKEN_ENV
              + " must be at least "
              + MIN_ADMIN_TOKEN_LENGTH
              + " characters (it has "
              + token.length()
              + "); generate one with: openssl rand -base64 32");
    }
    return token;
  }

  /**
   * The admin tokens 0.1 hosts stored are revoked; the environment's admin token replaces the
   * previous one; without one, the generated admin token is created once and kept until an admin
   * revokes it (only this start knows its secret). A start without {@code BILLING_ADMIN_TOKEN}
   * leaves an environment token alone: other nodes of the cluster may be using it.
   */
  private void settleAdminToken(String fromEnvironment) {
    adminTokenGenerated = fromEnvironment == null;
    if (adminTokenGenerated) {
      retireLegacyAdminTokens();
      settleGeneratedAdminToken();
    } else {
      // first, so that a BILLING_ADMIN_TOKEN a 0.1 host stored becomes the environment token
      settleEnvironmentAdminToken(fromEnvironment);
      retireLegacyAdminTokens();
    }
  }

  private void retireLegacyAdminTokens() {
    int legacy = tokens.retireLegacyAdminTokens();
    if (legacy > 0) {
      log.warn("Revoked {} admin token(s) that hosts before 0.2 stored on each start", legacy);
    }
  }

  private void settleEnvironmentAdminToken(String fromEnvironment) {
    TokenStore.TokenInfo info =
        tokens.replaceEnvironmentToken(fromEnvironment, ADMIN_USER, ADMIN_ROLES);
    if (info.revokedAt() != null) {
      throw new StartRefused(
          ADMIN_TOKEN_ENV + " is a revoked token (token id " + info.id() + "); set a new one");
    }
    adminToken = fromEnvironment;
    adminTokenId = info.id();
  }

  private void settleGeneratedAdminToken() {
    // A node revoking the active one in between is the only reason for a second round.
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<TokenStore.NewToken> created =
          tokens.generateAdminTokenOnce(ADMIN_USER, ADMIN_ROLES);
      if (created.isPresent()) {
        adminToken = created.get().token();
        adminTokenId = created.get().info().id();
        return;
      }
      Optional<TokenStore.TokenInfo> active = tokens.activeGeneratedAdminToken();
      if (active.isPresent()) {
        adminTokenId = active.get().id();
        return;
      }
    }
    throw new IllegalStateException(
        "the generated admin token was revoked while this host started");
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

  /**
   * @throws StartRefused when another host holds the data folder or the database is unreachable
   */
  private static Database openDatabase(HostOptions options) {
    String url =
        options.dbUrl() != null ? options.dbUrl() : options.secrets().get("BILLING_DB_URL");
    try {
      if (url != null && !url.isBlank()) {
        return Database.external(url, options.secrets());
      }
      return Database.embedded(options.dataDir(), !options.unsafeFastEmbeddedDatabase());
    } catch (Database.Refused e) {
      throw new StartRefused(e.getMessage(), e);
    }
  }

  /**
   * Checked before the database starts: a host that cannot serve would start (and on an embedded
   * database, initialise) it for nothing.
   *
   * @throws StartRefused when something listens on {@code port} already
   */
  private static void requireFreePort(int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new StartRefused(
          "port " + port + " is in use; stop what listens there or choose another with --port");
    }
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.add(0, resource);
    return resource;
  }

  /** The HTTP port it listens on. */
  public int port() {
    return http.port();
  }

  /**
   * A bearer token with the admin role: {@code BILLING_ADMIN_TOKEN}, or the one generated by this
   * start. Empty when the generated admin token was created (and shown) by an earlier start: only
   * its hash is kept.
   */
  public Optional<String> adminToken() {
    return Optional.ofNullable(adminToken);
  }

  /** True when no {@code BILLING_ADMIN_TOKEN} was set, so the admin token is the generated one. */
  public boolean adminTokenGenerated() {
    return adminTokenGenerated;
  }

  /** The admin token's id, as {@code GET /api/admin/tokens} lists it. */
  public long adminTokenId() {
    return adminTokenId;
  }

  /** The host's routes as Javalin registered them. */
  List<ApiRoute> httpRoutes() {
    return http.routes();
  }

  /** The routes and descriptions of the started plugins. */
  PluginRouteTable pluginRoutes() {
    return pluginRoutes;
  }

  /** The webhook delivery worker; tests whose host delivers on no schedule call its runOnce. */
  public WebhookWorker webhooks() {
    return webhooks;
  }

  Clock clock() {
    return clock;
  }

  /** The pool every part of the host and its plugins uses (closed with the host). */
  public DataSource dataSource() {
    return dataSource;
  }

  TokenStore tokens() {
    return tokens;
  }

  /** The loaded plugins (the benchmark module asks their admission checks in process). */
  public PluginRegistry plugins() {
    return plugins;
  }

  PluginDataPurge pluginDataPurge() {
    return pluginDataPurge;
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
