package io.streamspace.billing.support;

import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The plugin's counters and timers kept in memory, by name and tags, for tests to read. */
public final class RecordingMetrics implements PluginMetrics {

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  @Override
  public Counter counter(String name, String... tags) {
    AtomicLong count = countOf(name, tags);
    return count::incrementAndGet;
  }

  @Override
  public Timer timer(String name, String... tags) {
    AtomicLong count = countOf(name, tags);
    return (Duration duration) -> count.incrementAndGet();
  }

  /** How often the counter was incremented, or the timer recorded; 0 when never. */
  public long count(String name, String... tags) {
    AtomicLong count = counts.get(key(name, tags));
    return count == null ? 0 : count.get();
  }

  private AtomicLong countOf(String name, String... tags) {
    return counts.computeIfAbsent(key(name, tags), k -> new AtomicLong());
  }

  private static String key(String name, String... tags) {
    if (tags.length % 2 != 0) {
      throw new IllegalArgumentException("tags come in key, value pairs");
    }
    return name + List.of(tags);
  }
}
