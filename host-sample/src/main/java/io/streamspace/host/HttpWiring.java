package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.auth.TokenRoutes;
import io.streamspace.host.deadletters.DeadLetterRoutes;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.idempotency.IdempotencyKeys;
import io.streamspace.host.idempotency.IdempotentPosts;
import io.streamspace.host.intake.IntakeMeters;
import io.streamspace.host.intake.IntakeRoutes;
import io.streamspace.host.journal.JournalRoutes;
import io.streamspace.host.metrics.MetricsRoutes;
import io.streamspace.host.openapi.ApiDescription;
import io.streamspace.host.openapi.ApiDescriptionRoutes;
import io.streamspace.host.platform.PlatformAdminRoutes;
import io.streamspace.host.plugins.CatalogRoutes;
import io.streamspace.host.plugins.HealthRoutes;
import io.streamspace.host.plugins.PluginAdminRoutes;
import io.streamspace.host.plugins.PluginRequestRoutes;
import io.streamspace.host.plugins.PluginsPageRoutes;
import io.streamspace.host.webhooks.WebhookRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The HTTP server and every route group it serves, in the order they are registered: the
 * plugins' routes last, under their mount.
 */
record HttpWiring(HttpServer server) {

  /**
   * Checked before the database starts: a host that cannot serve would start (and on an embedded
   * database, initialise) it for nothing.
   *
   * @throws Host.StartRefused when {@code host} is no address of this machine, or something
   *     listens on {@code port} already
   */
  static void requireFreePort(String host, int port) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new Host.StartRefused(
          "--host " + host + " is no address of this machine; 127.0.0.1 or 0.0.0.0, say");
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(address);
    } catch (IOException e) {
      boolean inUse = e.getMessage() != null && e.getMessage().contains("in use");
      throw new Host.StartRefused(
          inUse
              ? "port " + port + " is in use; stop what listens there or choose another with --port"
              : "cannot listen on " + host + " port " + port + ": " + e.getMessage());
    }
  }

  /** Registers the routes; nothing is served until {@link #serve}. */
  static HttpWiring create(
      HostOptions options,
      ObjectMapper mapper,
      DatabaseWiring database,
      AuthWiring auth,
      WebhooksWiring webhooks,
      PlatformWiring platform,
      JournalWiring journal,
      PluginsWiring plugins,
      IntakeWiring intake) {
    Authenticator authenticator = auth.authenticator();
    JsonBodies bodies = new JsonBodies(mapper);
    return new HttpWiring(
        new HttpServer(
            mapper,
            options.idleConnectionsAtStop(),
            new HealthRoutes(
                plugins.registry(),
                authenticator,
                database.database()::isAvailable,
                journal.journal(),
                journal.journal()::indexLag),
            new TokenRoutes(auth.tokens(), authenticator, bodies, options.clock()),
            new IntakeRoutes(
                intake.intake(),
                intake.admission(),
                authenticator,
                bodies,
                new IntakeMeters(database.metrics().registry())),
            new MetricsRoutes(database.metrics(), authenticator, options.secrets()),
            new PlatformAdminRoutes(platform.events(), platform.sessions(), authenticator, bodies),
            new WebhookRoutes(
                webhooks.endpoints(),
                webhooks.worker(),
                webhooks.destinations(),
                authenticator,
                bodies),
            new PluginAdminRoutes(
                plugins.registry(), plugins.releases(), authenticator, bodies, journal.journal()),
            new CatalogRoutes(
                plugins.repositories(),
                plugins.registry(),
                authenticator,
                bodies,
                journal.journal()),
            new PluginsPageRoutes(),
            new DeadLetterRoutes(journal.deadLetters(), intake.intake(), authenticator),
            new JournalRoutes(journal.journal(), plugins.registry(), authenticator, bodies),
            new ApiDescriptionRoutes(
                new ApiDescription(mapper, plugins.routes(), plugins.registry()::isStarted),
                mapper),
            new PluginRequestRoutes(
                plugins.registry(),
                plugins.routes(),
                authenticator,
                new IdempotentPosts(
                    new IdempotencyKeys(database.dataSource(), options.clock(), mapper)))));
  }

  /** Serves (health answers 503 until the plugins have started). */
  void serve(String host, int port, OpenedParts parts) {
    server.start(host, port);
    parts.open(server);
  }

  int port() {
    return server.port();
  }

  /**
   * Where a client on this machine reaches a host listening on {@code host}: {@code localhost}
   * for loopback or every interface, else that address.
   */
  static String url(String host, int port) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    boolean local =
        !address.isUnresolved()
            && (address.getAddress().isLoopbackAddress()
                || address.getAddress().isAnyLocalAddress());
    String name = local ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
    return "http://" + name + ":" + port;
  }

  /**
   * Where it listens, in words: {@code 127.0.0.1 only}, or every interface for {@code 0.0.0.0}
   * and {@code ::}.
   */
  static String listening(String host) {
    InetSocketAddress address = new InetSocketAddress(host, 0);
    if (!address.isUnresolved() && address.getAddress().isAnyLocalAddress()) {
      return "listening on every interface (" + host + ")";
    }
    if (!address.isUnresolved() && address.getAddress().isLoopbackAddress()) {
      return "listening on " + host + " only: --host 0.0.0.0 for every interface";
    }
    return "listening on " + host;
  }
}
