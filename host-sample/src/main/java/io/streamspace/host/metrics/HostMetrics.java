package io.streamspace.host.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's meters, written in Prometheus' text format by {@code GET /metrics}: the JVM's
 * (memory, GC, threads, classes, CPU) from the start, and what the host's parts record into
 * {@link #registry()} (intake, admission, jobs, the connection pool, plugins).
 */
public final class HostMetrics implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HostMetrics.class);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  // what is looked up at each scrape: the journal's lag, its index's
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

  public HostMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** Where the host's parts record their meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** A plugin's counters and timers, named {@code streamspace.plugin.<id>.<name>}. */
  public PluginMetrics forPlugin(String pluginId) {
    return new PrefixedPluginMetrics(registry, "streamspace.plugin." + pluginId + ".");
  }

  /**
   * Shows {@code streamspace.journal.lag.events} per plugin and, on the Kafka journal, {@code
   * streamspace.journal.partition.lag.events} per plugin and partition, looked up at each scrape
   * (a query on the journal: read when asked, not on a timer).
   */
  public void journalLag(JournalLag.Lookup lookup, Supplier<List<String>> pluginIds) {
    MultiGauge lag =
        MultiGauge.builder("streamspace.journal.lag.events")
            .description("Journal entries a plugin has not consumed yet")
            .baseUnit("events")
            .register(registry);
    MultiGauge partitionLag =
        MultiGauge.builder("streamspace.journal.partition.lag.events")
            .description(
                "Records of a partition of the Kafka journal a plugin has not consumed yet")
            .baseUnit("events")
            .register(registry);
    beforeScrape.add(
        () -> {
          Map<String, JournalLag> current = lookup.of(pluginIds.get());
          lag.register(
              current.entrySet().stream()
                  .map(e -> MultiGauge.Row.of(Tags.of("plugin", e.getKey()), e.getValue().events()))
                  .toList(),
              true);
          partitionLag.register(
              current.entrySet().stream()
                  .flatMap(
                      e ->
                          e.getValue().partitions().stream()
                              .map(
                                  p ->
                                      MultiGauge.Row.of(
                                          Tags.of(
                                              "plugin",
                                              e.getKey(),
                                              "partition",
                                              Integer.toString(p.partition())),
                                          p.events())))
                  .toList(),
              true);
        });
  }

  /**
   * Shows, on the Kafka journal, {@code streamspace.journal.index.lag.events} and {@code
   * streamspace.journal.index.partition.lag.events} per partition: the records the journal's index
   * (support's search) has not written yet, looked up at each scrape. Nothing on the PostgreSQL
   * journal (an empty lookup).
   */
  public void journalIndexLag(Supplier<Optional<JournalLag>> lookup) {
    MultiGauge lag =
        MultiGauge.builder("streamspace.journal.index.lag.events")
            .description("Records of the Kafka journal its index has not written yet")
            .baseUnit("events")
            .register(registry);
    MultiGauge partitionLag =
        MultiGauge.builder("streamspace.journal.index.partition.lag.events")
            .description(
                "Records of a partition of the Kafka journal its index has not written yet")
            .baseUnit("events")
            .register(registry);
    beforeScrape.add(
        () -> {
          Optional<JournalLag> current = lookup.get();
          lag.register(
              current
                  .map(l -> List.of(MultiGauge.Row.of(Tags.empty(), l.events())))
                  .orElse(List.of()),
              true);
          partitionLag.register(
              current.map(JournalLag::partitions).orElse(List.of()).stream()
                  .map(
                      p ->
                          MultiGauge.Row.of(
                              Tags.of("partition", Integer.toString(p.partition())), p.events()))
                  .toList(),
              true);
        });
  }

  /**
   * Every meter, in Prometheus' text exposition format (version 0.0.4). When the journal lag
   * cannot be read (the database is down) the scrape answers without it: the pool's and the
   * intake's meters matter most then.
   */
  public String scrape() {
    for (Runnable lookup : beforeScrape) {
      try {
        lookup.run();
      } catch (RuntimeException e) {
        log.warn(
            "Metrics scraped without the journal lag, which could not be read: {}", e.toString());
      }
    }
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
