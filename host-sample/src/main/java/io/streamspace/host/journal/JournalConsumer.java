package io.streamspace.host.journal;

import io.streamspace.common.time.Backoff;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.http.DatabaseOutage;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one plugin the journal, in order, on the node that holds the plugin's lease: a round
 * reads the entries after those handed so far, calls the plugin's hooks and asks for its {@code
 * flush()}; then, while that flush is under way, the next round is read and handed, and only once
 * a round's flush has completed does the position move past it (to the end of that round, never
 * further). Delivery is at least once: a round cut short (a crash, a failed flush, a lost lease)
 * is handed again from the last position, with the round handed after it, as is one whose move a
 * crash of the database lost ({@link JournalCursors#advance} does not wait for the WAL's flush),
 * and plugins key what they store by natural keys, so a second delivery changes nothing.
 */
final class JournalConsumer {

  /** How the consumer paces itself; see {@link JournalConsumers#DEFAULT_TIMINGS}. */
  record Timings(
      Duration lease, Duration renewEvery, Duration idlePoll, Duration standbyPoll, int round) {}

  private static final Logger log = LoggerFactory.getLogger(JournalConsumer.class);
  private static final Duration FLUSH_TIMEOUT = PluginFlush.TIMEOUT;
  private static final Backoff BACKOFF = Journal.CONSUMER_BACKOFF;

  private final ActivePlugin plugin;
  private final EventJournal journal;
  private final JournalCursors cursors;
  private final EventHandoff handoff;
  private final String node;
  private final Timings timings;
  private final Runnable moved;
  private final Thread thread;

  private volatile boolean running = true;
  private volatile boolean leading;
  private volatile long position = -1;
  // its last round failed: intake does not wait for it (each batch would wait the full 5 s)
  private volatile boolean failing;
  private long renewedAt;
  private boolean woken;
  // the round handed whose flush is under way; only the consumer's thread reads or sets it
  private Flushing flushing;

  /** A round handed to the plugin: its flush, and the position to move to once it completes. */
  private record Flushing(CompletableFuture<?> flushed, long through) {}

  JournalConsumer(
      ActivePlugin plugin,
      EventJournal journal,
      JournalCursors cursors,
      EventHandoff handoff,
      String node,
      Timings timings,
      Runnable moved) {
    this.plugin = plugin;
    this.journal = journal;
    this.cursors = cursors;
    this.handoff = handoff;
    this.node = node;
    this.timings = timings;
    this.moved = moved;
    this.thread = new Thread(this::run, "journal-" + plugin.id());
    thread.setDaemon(true);
  }

  /**
   * Takes the lease if it is free before returning, so that intake knows at once whether this
   * node consumes the plugin's journal; then consumes in the background.
   */
  void start() {
    try {
      lead();
    } catch (RuntimeException e) {
      log.warn("Plugin {} journal: lease not taken yet ({}); retrying", plugin.id(), e.toString());
    }
    thread.start();
  }

  String pluginId() {
    return plugin.id();
  }

  /** Whether this node consumes the plugin's journal now. */
  boolean leading() {
    return leading;
  }

  /** Every entry up to this position was handed to the plugin and flushed (-1 before a lease). */
  long position() {
    return position;
  }

  /** Something was journaled: look now rather than at the next poll. */
  synchronized void wake() {
    woken = true;
    notifyAll();
  }

  /**
   * Waits until the plugin has flushed every entry up to {@code seq}, while this node consumes
   * its journal and its rounds succeed, for at most {@code timeout}.
   *
   * @return whether it has
   */
  synchronized boolean awaitPosition(long seq, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running && leading && !failing && position < seq) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return position >= seq;
  }

  /** Stops after the round in progress and gives the lease up, so another node takes over. */
  void stop() {
    running = false;
    wake();
    try {
      thread.join(FLUSH_TIMEOUT.toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (leading) {
      leading = false;
      try {
        cursors.release(plugin.id(), node);
      } catch (RuntimeException e) {
        log.warn("Could not give up the journal lease of plugin {}: {}", plugin.id(), e.toString());
      }
    }
  }

  private void run() {
    Duration backoff = BACKOFF.first();
    while (running) {
      try {
        if (leading || lead()) {
          consumeRound();
        } else {
          pause(timings.standbyPoll());
        }
        backoff = BACKOFF.first();
        failing = false;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // what was handed since the position is handed again
        flushing = null;
        failing = true;
        wakeWaiters();
        if (DatabaseOutage.causedBy(e)) {
          // one line per failed round for as long as the outage lasts, not a stack trace each
          log.warn(
              "Plugin {} journal: the database cannot be reached ({}); retrying in {} ms",
              plugin.id(),
              e.toString(),
              backoff.toMillis());
        } else {
          log.error("Plugin {} journal: a round failed; it is retried", plugin.id(), e);
        }
        try {
          pause(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = BACKOFF.next(backoff);
      }
    }
    settleBeforeStopping();
  }

  private synchronized void wakeWaiters() {
    notifyAll();
  }

  private boolean lead() {
    OptionalLong acquired = cursors.acquire(plugin.id(), node, timings.lease());
    if (acquired.isEmpty()) {
      return false;
    }
    synchronized (this) {
      position = acquired.getAsLong();
      leading = true;
      renewedAt = System.nanoTime();
    }
    log.info("Plugin {} journal: consumed on this node from position {}", plugin.id(), position);
    return true;
  }

  private void consumeRound() throws InterruptedException {
    long handed = flushing == null ? position : flushing.through();
    NavigableMap<Long, ? extends EventHandoff.Kept> kept =
        handoff.keptAfter(handed, timings.round());
    List<EventJournal.Position> round =
        journal.round(handed, timings.round(), kept.navigableKeySet());
    if (round.isEmpty()) {
      if (flushing != null) {
        // caught up: past the last round once it is flushed, then it waits as after any look that
        // finds nothing (no look again first: what is journaled here meanwhile wakes it at once)
        settle();
      } else if (System.nanoTime() - renewedAt > timings.renewEvery().toNanos()) {
        moveTo(position);
      }
      pause(timings.idlePoll());
      return;
    }
    if (!round.stream().allMatch(at -> at.journaled() != null || isKept(at, kept))) {
      // a position kept for another event than its entry's (the database is not the one this
      // node journaled in): every entry of the round is read whole and handed as read
      round = journal.round(handed, timings.round(), Collections.emptySortedSet());
    }
    for (EventJournal.Position at : round) {
      if (at.journaled() == null) {
        kept.get(at.seq()).deliverTo(plugin.extension(), plugin.context());
      } else {
        handoff.handOff(at.journaled(), plugin);
      }
    }
    CompletableFuture<?> flushed = plugin.extension().flush().toCompletableFuture();
    if (flushing != null) {
      settle();
    }
    // with the lease lost, the next holder hands this round again
    flushing = leading ? new Flushing(flushed, round.get(round.size() - 1).seq()) : null;
  }

  private static boolean isKept(
      EventJournal.Position at, Map<Long, ? extends EventHandoff.Kept> kept) {
    EventHandoff.Kept event = kept.get(at.seq());
    return event != null && event.id().equals(at.eventId());
  }

  /** Waits for the round under way to be flushed, then moves the position to its end. */
  private void settle() throws InterruptedException {
    Flushing settled = flushing;
    flushing = null;
    awaitFlush(settled.flushed());
    moveTo(settled.through());
    moved.run();
  }

  /** The last round handed, flushed and moved past before the consumer stops (best effort). */
  private void settleBeforeStopping() {
    if (flushing == null || !leading) {
      return;
    }
    try {
      settle();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // handed again by whichever node consumes next
      log.warn("Plugin {} journal: the last round was not flushed: {}", plugin.id(), e.toString());
    }
  }

  private void awaitFlush(CompletableFuture<?> flushed) throws InterruptedException {
    PluginFlush.await(plugin.id(), flushed);
  }

  private void moveTo(long seq) {
    boolean kept = cursors.advance(plugin.id(), node, seq, timings.lease());
    synchronized (this) {
      renewedAt = System.nanoTime();
      if (kept) {
        position = seq;
      } else {
        leading = false;
        // another node took it, or it ran out while this node could not renew it (an outage)
        log.info("Plugin {} journal: this node no longer holds the lease", plugin.id());
      }
      notifyAll();
    }
  }

  private synchronized void pause(Duration most) throws InterruptedException {
    if (!woken && running) {
      wait(Math.max(1, most.toMillis()));
    }
    woken = false;
  }
}
