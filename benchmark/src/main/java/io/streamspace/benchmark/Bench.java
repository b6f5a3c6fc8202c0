package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.DemoInstall;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.intake.AdmissionService;
import io.streamspace.host.journal.JournalKind;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The benchmark's run: a host of its own on an embedded PostgreSQL in a fresh temporary folder
 * (durable, as the host runs it; deleted at the end), with the billing plugin installed and enabled
 * from the plugin catalog through the API as {@code --demo} does, and the {@link BenchRunner}'s
 * workloads run on it; at full size each workload on a host of its own, deleted after it. No
 * environment reaches those hosts: not {@code BILLING_DB_URL}, nor plugin secrets. With {@code
 * --journal kafka} a host journals on Kafka ({@link BenchKafka}: the brokers given, else one
 * started in this JVM for the host, stopped after it).
 */
final class Bench implements BenchHost, AutoCloseable {

  private static final String PLATFORM_USER = "bench-platform";

  private final Path folder;
  private final HostOptions firstStart;
  private final BenchKafka kafka;
  private Host host;
  private int port;
  private String adminToken;
  private String platformToken;
  private AdmissionService admission;

  private Bench(Path folder, HostOptions options, BenchKafka kafka) {
    this.folder = folder;
    this.firstStart = options;
    this.kafka = kafka;
  }

  /**
   * Runs the benchmark the command line asks for, printing progress to {@code progress} and the
   * table to {@code out}; returns the process's exit code: 0 when every workload ran, else 1.
   *
   * @param logsTo told the folder for the host's log before it starts ({@link BenchMain} logs
   *     there, tests leave their logging alone)
   */
  static int run(
      BenchCommandLine line, PrintStream progress, PrintStream out, Consumer<Path> logsTo)
      throws IOException {
    // Under load the JDK's HttpClient now and then closes a kept-alive connection itself as it
    // sends on it, and retries only GETs then. Every POST of the workloads may be sent again:
    // events are idempotent by id, admissions are reads, and each workload checks its results.
    // Read when the client first sends, so before any workload does.
    System.setProperty("jdk.httpclient.enableAllMethodRetry", "true");
    Path folder = Files.createTempDirectory("streamspace-bench-");
    try {
      progress.println("bench: a host on an embedded PostgreSQL in " + folder);
      logsTo.accept(folder.resolve("logs"));
      if (line.scale) {
        return new ScaleRun(line, progress, out).run(folder) ? 0 : 1;
      }
      BenchRunner runner = new BenchRunner(BenchRunner.workloads(), progress, out);
      Set<String> only = Set.copyOf(line.only);
      if (line.size == BenchSize.FULL) {
        return runner.run(hostPerWorkload(folder, line, progress), line.size, only).allRan()
            ? 0
            : 1;
      }
      try (Bench bench = start(folder, line, progress)) {
        return runner.run(BenchRunner.Hosts.one(bench), line.size, only).allRan() ? 0 : 1;
      }
    } finally {
      delete(folder);
    }
  }

  /**
   * At full size, a host for each workload, on a new embedded PostgreSQL in a folder of its own,
   * deleted once the workload's rows are in. A full run's workloads together seed more than a
   * machine like this one has disk for (admin-reads alone 31 GB), and on one host the accounts
   * every earlier workload seeded slow the next: in run R (docs/benchmark-history.md),
   * check-quotas ran over them for 6 minutes beside calculate-usage and the usage reads.
   */
  private static BenchRunner.Hosts<Bench> hostPerWorkload(
      Path folder, BenchCommandLine line, PrintStream progress) {
    return new BenchRunner.Hosts<>() {
      @Override
      public Bench open(String workload) {
        Path own = folder.resolve(workload);
        progress.println("bench: a host of its own for " + workload + " in " + own);
        return start(own, line, progress);
      }

      @Override
      public void release(Bench host) {
        host.close();
        try {
          delete(host.folder);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /**
   * A host on a new embedded PostgreSQL in {@code folder} (its data and plugins there), the
   * billing plugin installed from the command line's repositories and started.
   */
  static Bench start(Path folder, BenchCommandLine line, PrintStream progress) {
    HostOptions.Builder options =
        HostOptions.builder()
            .port(0)
            .dataDir(folder.resolve("data"))
            .pluginsDir(folder.resolve("plugins"))
            .secrets(Map.of())
            // its hosts stop once measured (one per workload, per size): no need to wait a
            // second each time for the benchmark's own idle connections
            .idleConnectionsAtStop(HostOptions.TESTS_IDLE_CONNECTIONS_AT_STOP);
    line.pluginRepositories().forEach(options::pluginRepository);
    BenchKafka kafka = null;
    if (line.journal == JournalKind.KAFKA) {
      progress.println(
          "bench: the journal on Kafka, "
              + (line.kafkaBootstrap == null
                  ? "on a broker started in this JVM"
                  : "on the brokers at " + line.kafkaBootstrap));
      if (line.kafkaPropertiesFile != null) {
        // the names alone: the values are secrets
        progress.println(
            "bench: the Kafka clients' properties of "
                + line.kafkaPropertiesFile
                + ": "
                + String.join(", ", line.kafkaClientProperties.keySet()));
      }
      kafka =
          BenchKafka.start(line.kafkaBootstrap, line.kafkaPartitions(), line.kafkaClientProperties);
      options.kafkaJournal(kafka.journal());
      progress.println("bench: the journal's topic " + kafka.journal().topic());
    }
    Bench bench = new Bench(folder, options.build(), kafka);
    try {
      bench.start(progress);
      return bench;
    } catch (RuntimeException e) {
      bench.close();
      throw e;
    }
  }

  private void start(PrintStream progress) {
    host = Host.start(firstStart);
    port = host.port();
    admission = new AdmissionService(host.plugins());
    adminToken = host.adminToken().orElseThrow();
    DemoInstall.billing(host.url(), adminToken).forEach(l -> progress.println("  " + l));
    try {
      BenchHttp http = new BenchHttp(baseUrl());
      JsonNode plugins = http.get("/api/admin/plugins", adminToken).expect(200);
      boolean started = false;
      for (JsonNode plugin : plugins.path("plugins")) {
        started |=
            plugin.path("id").asText().equals(DemoInstall.PLUGIN)
                && plugin.path("state").asText().equals("started");
      }
      if (!started) {
        throw new IllegalStateException("the billing plugin did not start: " + plugins);
      }
      platformToken =
          http.post(
                  "/api/admin/tokens",
                  adminToken,
                  Map.of("user_id", PLATFORM_USER, "roles", Set.of("platform")))
              .expect(201)
              .path("token")
              .asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public String adminToken() {
    return adminToken;
  }

  @Override
  public String platformToken() {
    return platformToken;
  }

  @Override
  public DataSource dataSource() {
    return host.dataSource();
  }

  @Override
  public void restart() {
    host.close();
    HostOptions o = firstStart;
    host =
        Host.start(
            new HostOptions(
                port,
                o.host(),
                o.dbUrl(),
                o.dataDir(),
                o.pluginsDir(),
                o.pluginRepositories(),
                o.clock(),
                o.secrets(),
                o.inProcessPlugins(),
                o.unsafeFastEmbeddedDatabase(),
                o.maxEventAge(),
                o.maxJournalLag(),
                o.pluginReleases(),
                o.webhookDeliveryInterval(),
                o.journal(),
                o.kafka(),
                o.idleConnectionsAtStop(),
                o.switchJournal()));
    admission = new AdmissionService(host.plugins());
  }

  @Override
  public BenchKafka kafkaJournal() {
    return kafka;
  }

  @Override
  public AdmissionService.Answer admit(JsonNode request) {
    return admission.decide(request);
  }

  @Override
  public ClassLoader pluginClassLoader(String pluginId) {
    return host.plugins().active().stream()
        .filter(plugin -> plugin.id().equals(pluginId))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the plugin " + pluginId + " is not started"))
        .extension()
        .getClass()
        .getClassLoader();
  }

  /** Stops the host, then the Kafka journal's broker (or deletes the run's topic). */
  @Override
  public void close() {
    try {
      if (host != null) {
        host.close();
      }
    } finally {
      if (kafka != null) {
        try {
          kafka.close();
        } catch (Exception e) {
          throw new IllegalStateException("the Kafka journal's brokers: " + e, e);
        }
      }
    }
  }

  /** Deletes {@code folder} and everything in it. */
  static void delete(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
