package io.streamspace.host.journal;

import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.host.plugins.PluginLifecycleListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The journal's consumers on this node: one per started plugin, each consuming while this node
 * holds the plugin's lease. Intake tells them when it journaled something, and may wait for them.
 */
public final class JournalConsumers
    implements PluginLifecycleListener, JournalLag.Lookup, AutoCloseable {

  /**
   * A lease of 10 s renewed every 3 s: a dead node's plugins are taken over within 12 s (its
   * lease runs out, then a standby looks within a second). An idle consumer looks for entries
   * other nodes journaled every 200 ms; this node's intake wakes it at once.
   */
  static final JournalConsumer.Timings DEFAULT_TIMINGS =
      new JournalConsumer.Timings(
          Duration.ofSeconds(10),
          Duration.ofSeconds(3),
          Duration.ofMillis(200),
          Duration.ofSeconds(1),
          5_000);

  private final EventJournal journal;
  private final JournalCursors cursors;
  private final EventHandoff handoff;
  private final JournalConsumer.Timings timings;
  private final Clock clock;
  private final String node;
  private final Map<String, JournalConsumer> consumers = new ConcurrentHashMap<>();

  public JournalConsumers(
      EventJournal journal, DataSource dataSource, EventHandoff handoff, Clock clock, String node) {
    this(journal, dataSource, handoff, clock, node, DEFAULT_TIMINGS);
  }

  JournalConsumers(
      EventJournal journal,
      DataSource dataSource,
      EventHandoff handoff,
      Clock clock,
      String node,
      JournalConsumer.Timings timings) {
    this.journal = journal;
    this.node = node;
    this.clock = clock;
    this.cursors = new JournalCursors(dataSource);
    this.handoff = handoff;
    this.timings = timings;
  }

  /** This node's name, in the leases it takes. */
  public String node() {
    return node;
  }

  @Override
  public void started(ActivePlugin plugin) {
    JournalConsumer consumer =
        new JournalConsumer(plugin, journal, cursors, handoff, node, timings, this::moved);
    JournalConsumer previous = consumers.put(plugin.id(), consumer);
    if (previous != null) {
      previous.stop();
    }
    consumer.start();
  }

  @Override
  public void stopping(String pluginId) {
    JournalConsumer consumer = consumers.remove(pluginId);
    if (consumer != null) {
      consumer.stop();
    }
  }

  /**
   * A consumer here moved its position: the entries every consumer leading here has been handed
   * need not be kept for them any more.
   */
  private void moved() {
    long lowest = Long.MAX_VALUE;
    for (JournalConsumer consumer : consumers.values()) {
      if (consumer.leading()) {
        lowest = Math.min(lowest, consumer.position());
      }
    }
    if (lowest != Long.MAX_VALUE) {
      handoff.handedThrough(lowest);
    }
  }

  /** Entries were journaled: the consumers here look at once. */
  public void journaled() {
    consumers.values().forEach(JournalConsumer::wake);
  }

  /**
   * Waits, for at most {@code timeout} in all, until each plugin consumed on this node has
   * flushed every entry up to {@code seq}.
   *
   * @return whether they all have (false also when interrupted)
   */
  public boolean awaitConsumed(long seq, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (JournalConsumer consumer : List.copyOf(consumers.values())) {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (consumer.leading() && !consumer.awaitPosition(seq, left)) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public Map<String, JournalLag> of(List<String> pluginIds) {
    return cursors.lag(pluginIds, clock.instant());
  }

  /**
   * Moves a plugin's position back to the first entry journaled at or after {@code from}; for a
   * plugin that is not consuming (disabled), which the caller makes sure of.
   *
   * @return the new position
   */
  public long rewind(String pluginId, Instant from) {
    return cursors.rewind(pluginId, from);
  }

  /** Stops every consumer here, giving their leases up. */
  @Override
  public void close() {
    List.copyOf(consumers.keySet()).forEach(this::stopping);
  }
}
