package io.streamspace.plugin.api.metrics;

import java.time.Duration;

/**
 * Counters and timers a plugin reports through the host's metrics ({@code GET /metrics} on the
 * reference host). Names are dotted and lower case ({@code invoices.finalized}); the host
 * prefixes them with the plugin's id, so plugins never clash. Tags are key, value pairs with
 * few distinct values (an outcome, a currency), never a user or an id.
 *
 * <p>Stable since 0.2.
 */
public interface PluginMetrics {

  /** A count that only goes up. */
  @FunctionalInterface
  interface Counter {
    void increment();
  }

  /** Durations, for their count, sum and spread. */
  @FunctionalInterface
  interface Timer {
    void record(Duration duration);
  }

  /**
   * The counter of this name and tags.
   *
   * @param tags key, value, key, value...
   * @throws IllegalArgumentException when the tags are not in pairs
   */
  Counter counter(String name, String... tags);

  /**
   * The timer of this name and tags.
   *
   * @param tags key, value, key, value...
   * @throws IllegalArgumentException when the tags are not in pairs
   */
  Timer timer(String name, String... tags);

  /** Metrics that go nowhere: a host that keeps none, or a test that checks none. */
  static PluginMetrics none() {
    return new PluginMetrics() {
      @Override
      public Counter counter(String name, String... tags) {
        return () -> {};
      }

      @Override
      public Timer timer(String name, String... tags) {
        return duration -> {};
      }
    };
  }
}
