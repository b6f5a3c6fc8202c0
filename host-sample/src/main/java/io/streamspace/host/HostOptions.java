package io.streamspace.host;

import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.plugins.InProcessPluginPackage;
import io.streamspace.host.plugins.PluginPackage;
import io.streamspace.plugin.api.PlatformPlugin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to start a {@link Host}. Build with {@link #builder()}; every option has a default.
 *
 * @param port        HTTP port; 0 picks a free one (default 8080)
 * @param host        the address HTTP listens on (default {@link #DEFAULT_HOST}, this machine
 *                    only; {@code 0.0.0.0} for every interface)
 * @param dbUrl       JDBC URL of an external PostgreSQL; null means {@code BILLING_DB_URL} from
 *                    {@code secrets}, else an embedded PostgreSQL under {@code dataDir}
 * @param dataDir     where the embedded PostgreSQL keeps its data (default {@code data})
 * @param pluginsDir  the PF4J plugins folder (default {@code plugins})
 * @param pluginRepositories plugin repositories (folders or http(s) URLs holding a pf4j-update
 *                    {@code plugins.json}), asked in this order (default none)
 * @param clock       every "now" of the host and its plugins (default UTC system clock)
 * @param secrets     environment-like lookups: {@code BILLING_ADMIN_TOKEN}, {@code BILLING_DB_*},
 *                    {@code STREAMSPACE_JWT_*},
 *                    plugin secrets (default {@link System#getenv()})
 * @param inProcessPlugins plugins handed over as objects, next to the folder's (tests)
 * @param unsafeFastEmbeddedDatabase tests only: the embedded PostgreSQL skips fsync and
 *                    synchronous commit, so a crash can lose acknowledged events; the host logs a
 *                    warning. No command-line option sets it (default false: durable)
 * @param maxEventAge how far behind {@code clock} a platform event may be; older ones are refused
 *                    (default {@link #DEFAULT_MAX_EVENT_AGE}, as Stripe's meter events); also
 *                    how long the event journal keeps events and their ids
 * @param pluginReleases where plugins are installed and updated from; null (the default) for
 *                    the plugin repositories above
 * @param maxJournalLag how many journal entries an enabled plugin may be behind before intake
 *                    answers 503 (default {@link #DEFAULT_MAX_JOURNAL_LAG}), on the PostgreSQL
 *                    journal; the Kafka journal's bound is of time (5 minutes: {@code
 *                    KafkaConsumers#backlogAgeBound})
 * @param webhookDeliveryInterval how often due webhook deliveries are sent (default {@link
 *                    #DEFAULT_WEBHOOK_DELIVERY_INTERVAL}); zero: never on a schedule (tests call
 *                    {@code Host.webhooks().runOnce()})
 * @param journal     where accepted events are journaled (default {@link JournalKind#POSTGRES},
 *                    the host's database)
 * @param kafka       where the Kafka journal is, with {@link JournalKind#KAFKA}; null with the
 *                    PostgreSQL journal
 * @param idleConnectionsAtStop how long a stop leaves a client's kept-alive connection open that
 *                    has nothing in flight (default {@link #DEFAULT_IDLE_CONNECTIONS_AT_STOP},
 *                    Jetty's); tests and the benchmark shorten it ({@link
 *                    Builder#quickStopForTests()}). No command-line option sets it
 * @param switchJournal  the database is moved to {@code journal} when it is used with the other
 *                    ({@code --switch-journal}); else a node whose journal differs from the
 *                    database's is refused (default false)
 */
public record HostOptions(
    int port,
    String host,
    String dbUrl,
    Path dataDir,
    Path pluginsDir,
    List<String> pluginRepositories,
    Clock clock,
    Map<String, String> secrets,
    List<PluginPackage> inProcessPlugins,
    boolean unsafeFastEmbeddedDatabase,
    Duration maxEventAge,
    long maxJournalLag,
    PluginReleases pluginReleases,
    Duration webhookDeliveryInterval,
    JournalKind journal,
    KafkaSettings kafka,
    Duration idleConnectionsAtStop,
    boolean switchJournal) {

  /** Loopback: a host reachable from elsewhere is a choice the operator makes ({@code --host}). */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static final Duration DEFAULT_WEBHOOK_DELIVERY_INTERVAL = Duration.ofSeconds(5);

  public static final Duration DEFAULT_MAX_EVENT_AGE = Duration.ofDays(35);

  /** Jetty's own: a client that sends on its idle connection meanwhile is answered 503. */
  public static final Duration DEFAULT_IDLE_CONNECTIONS_AT_STOP = Duration.ofSeconds(1);

  /**
   * {@link Builder#quickStopForTests()}: a test host stops without waiting a second for its
   * clients' idle connections. A request being handled is not cut short by it (Jetty times out
   * only a pending read or write), but one whose body or answer stalls that long on the network
   * during the stop is.
   */
  public static final Duration TESTS_IDLE_CONNECTIONS_AT_STOP = Duration.ofMillis(100);

  /** Ten seconds of intake at 100,000 events a second. */
  public static final long DEFAULT_MAX_JOURNAL_LAG = 1_000_000;

  public HostOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must name an address, got " + host);
    }
    if (maxEventAge == null || maxEventAge.isNegative() || maxEventAge.isZero()) {
      throw new IllegalArgumentException("maxEventAge must be positive, got " + maxEventAge);
    }
    if (maxJournalLag <= 0) {
      throw new IllegalArgumentException("maxJournalLag must be positive, got " + maxJournalLag);
    }
    if (webhookDeliveryInterval == null || webhookDeliveryInterval.isNegative()) {
      throw new IllegalArgumentException(
          "webhookDeliveryInterval must be zero or positive, got " + webhookDeliveryInterval);
    }
    if (idleConnectionsAtStop == null
        || idleConnectionsAtStop.isNegative()
        || idleConnectionsAtStop.isZero()) {
      // Jetty reads zero as "never"
      throw new IllegalArgumentException(
          "idleConnectionsAtStop must be positive, got " + idleConnectionsAtStop);
    }
    if (journal == null) {
      throw new IllegalArgumentException("journal must name a kind");
    }
    if ((journal == JournalKind.KAFKA) != (kafka != null)) {
      throw new IllegalArgumentException(
          "the Kafka journal needs its settings, and only it: journal "
              + journal.text()
              + " with "
              + (kafka == null ? "none" : "Kafka settings"));
    }
    pluginRepositories = List.copyOf(pluginRepositories);
    secrets = Map.copyOf(secrets);
    inProcessPlugins = List.copyOf(inProcessPlugins);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link HostOptions}. */
  public static final class Builder {
    private int port = 8080;
    private String host = DEFAULT_HOST;
    private String dbUrl;
    private Path dataDir = Path.of("data");
    private Path pluginsDir = Path.of("plugins");
    private final List<String> pluginRepositories = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Map<String, String> secrets = System.getenv();
    private final List<PluginPackage> inProcessPlugins = new ArrayList<>();
    private boolean unsafeFastEmbeddedDatabase;
    private Duration maxEventAge = DEFAULT_MAX_EVENT_AGE;
    private long maxJournalLag = DEFAULT_MAX_JOURNAL_LAG;
    private PluginReleases pluginReleases;
    private Duration webhookDeliveryInterval = DEFAULT_WEBHOOK_DELIVERY_INTERVAL;
    private JournalKind journal = JournalKind.POSTGRES;
    private KafkaSettings kafka;
    private Duration idleConnectionsAtStop = DEFAULT_IDLE_CONNECTIONS_AT_STOP;
    private boolean switchJournal;

    private Builder() {}

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The address HTTP listens on: {@code 0.0.0.0} for every interface. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder dbUrl(String dbUrl) {
      this.dbUrl = dbUrl;
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder pluginsDir(Path pluginsDir) {
      this.pluginsDir = pluginsDir;
      return this;
    }

    /** Adds a plugin repository, asked after those added before it. */
    public Builder pluginRepository(String folderOrUrl) {
      pluginRepositories.add(folderOrUrl);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder secrets(Map<String, String> secrets) {
      this.secrets = secrets;
      return this;
    }

    /** Adds a plugin object under an id, as if it were found in the plugins folder. */
    public Builder plugin(String id, PlatformPlugin plugin) {
      inProcessPlugins.add(InProcessPluginPackage.of(id, plugin));
      return this;
    }

    /**
     * For tests only: an embedded PostgreSQL that trades crash safety for speed (no fsync, no
     * synchronous commit). A crash can then lose events the host acknowledged.
     */
    public Builder unsafeFastEmbeddedDatabaseForTests() {
      this.unsafeFastEmbeddedDatabase = true;
      return this;
    }

    /**
     * For tests only: a stop closes the clients' idle kept-alive connections after {@link
     * #TESTS_IDLE_CONNECTIONS_AT_STOP} rather than a second, which every host a test stops would
     * otherwise wait.
     */
    public Builder quickStopForTests() {
      return idleConnectionsAtStop(TESTS_IDLE_CONNECTIONS_AT_STOP);
    }

    /** How long a stop leaves a kept-alive connection open that has nothing in flight. */
    public Builder idleConnectionsAtStop(Duration idleConnectionsAtStop) {
      this.idleConnectionsAtStop = idleConnectionsAtStop;
      return this;
    }

    public Builder maxEventAge(Duration maxEventAge) {
      this.maxEventAge = maxEventAge;
      return this;
    }

    public Builder maxJournalLag(long maxJournalLag) {
      this.maxJournalLag = maxJournalLag;
      return this;
    }

    public Builder pluginReleases(PluginReleases pluginReleases) {
      this.pluginReleases = pluginReleases;
      return this;
    }

    public Builder webhookDeliveryInterval(Duration webhookDeliveryInterval) {
      this.webhookDeliveryInterval = webhookDeliveryInterval;
      return this;
    }

    /** The journal in a Kafka topic, there. */
    public Builder kafkaJournal(KafkaSettings kafka) {
      this.journal = JournalKind.KAFKA;
      this.kafka = kafka;
      return this;
    }

    /** The journal in the host's PostgreSQL database (the default). */
    public Builder postgresJournal() {
      this.journal = JournalKind.POSTGRES;
      this.kafka = null;
      return this;
    }

    /**
     * Moves the database to this node's journal when it is used with the other one ({@code
     * --switch-journal}), instead of refusing the start.
     */
    public Builder switchJournal() {
      this.switchJournal = true;
      return this;
    }

    public HostOptions build() {
      return new HostOptions(
          port,
          host,
          dbUrl,
          dataDir,
          pluginsDir,
          pluginRepositories,
          clock,
          secrets,
          inProcessPlugins,
          unsafeFastEmbeddedDatabase,
          maxEventAge,
          maxJournalLag,
          pluginReleases,
          webhookDeliveryInterval,
          journal,
          kafka,
          idleConnectionsAtStop,
          switchJournal);
    }
  }
}
