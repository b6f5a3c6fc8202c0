package io.streamspace.host.e2e;

import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.HostPlugins;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.plugin.api.config.PluginConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The real host, in this JVM, with the packaged billing plugin zip loaded by PF4J: what an
 * operator runs, minus the process boundary (that is {@link HostJarIT}'s job).
 */
final class BillingHost implements AutoCloseable {
  static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdefghijk";

  final Host host;
  final BillingApi api;

  private BillingHost(Host host) {
    this.host = host;
    this.api = new BillingApi(host.port(), ADMIN_TOKEN);
  }

  /** Starts a host on the given database; the plugins folder is a fresh copy under {@code work}. */
  static BillingHost start(Path work, String dbUrl, Clock clock, Map<String, String> extraSecrets)
      throws Exception {
    return start(work, dbUrl, clock, extraSecrets, null);
  }

  /**
   * Starts a host as above, journaling on Kafka there ({@code kafka} not null), or in PostgreSQL.
   */
  static BillingHost start(
      Path work, String dbUrl, Clock clock, Map<String, String> extraSecrets, KafkaSettings kafka)
      throws Exception {
    Map<String, String> secrets = new HashMap<>(extraSecrets);
    secrets.put("BILLING_ADMIN_TOKEN", ADMIN_TOKEN);
    HostOptions.Builder options =
        HostOptions.builder()
            .port(0)
            .quickStopForTests()
            .dbUrl(dbUrl)
            .pluginsDir(
                PackagedPlugin.copyExpandedInto(work.resolve("plugins-" + System.nanoTime())))
            .dataDir(work.resolve("data"))
            .clock(clock)
            .secrets(secrets);
    if (kafka != null) {
      options.kafkaJournal(kafka);
    }
    return new BillingHost(Host.start(options.build()));
  }

  /** The config a started plugin reads, secrets included. */
  PluginConfig pluginConfig(String pluginId) {
    return HostPlugins.configOf(host, pluginId);
  }

  @Override
  public void close() {
    host.close();
  }
}
