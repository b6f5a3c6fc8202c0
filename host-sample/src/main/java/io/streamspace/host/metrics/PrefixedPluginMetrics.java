package io.streamspace.host.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.streamspace.plugin.api.metrics.PluginMetrics;

/** A plugin's meters in the host's registry, their names prefixed so plugins never clash. */
record PrefixedPluginMetrics(MeterRegistry registry, String prefix) implements PluginMetrics {

  @Override
  public Counter counter(String name, String... tags) {
    return registry.counter(prefix + name, pairs(tags))::increment;
  }

  @Override
  public Timer timer(String name, String... tags) {
    return registry.timer(prefix + name, pairs(tags))::record;
  }

  /** Tags.of refuses (IllegalArgumentException) tags that are not in pairs. */
  private static Tags pairs(String... tags) {
    return Tags.of(tags);
  }
}
