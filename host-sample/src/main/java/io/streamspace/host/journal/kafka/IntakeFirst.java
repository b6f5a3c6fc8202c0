package io.streamspace.host.journal.kafka;

import io.streamspace.host.plugins.JournalLag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Intake first during a burst: while this node's intake is journaling batches, the journal's
 * consumers on this node (the index and each plugin's) rest after each round {@link
 * #REST_PER_WORK} times as long as the round took, so that they take about a third of the time
 * they would and intake the rest of the cores, as long as they are caught up ({@link
 * JournalLag#CAUGHT_UP}: the oldest record of the round was journaled less than that ago). So a
 * burst is taken in at the brokers' pace and applied after it, which the topic is there for; a
 * consumer further behind runs flat out, so a load it cannot keep up with at a third of its pace
 * keeps it about that far behind, not further. On one machine of two cores, intake on Kafka
 * journaled 0.22-0.28 × a raw producer's rate with the consumers beside it, 0.34-0.40 × with
 * them resting (BENCHMARKS.md, run AJ).
 *
 * <p>Intake counts as journaling while a batch is being appended, and for {@link #BUSY_AFTER}
 * after the last one: the gap between a client's batches.
 */
final class IntakeFirst {

  /** How long a consumer rests after a round, per unit of the round's time. */
  static final int REST_PER_WORK = 2;

  /** The longest rest after one round, however long it took (it may have waited for the index). */
  static final Duration LONGEST_REST = Duration.ofSeconds(1);

  /** How long intake counts as journaling after its last batch was appended. */
  static final Duration BUSY_AFTER = Duration.ofMillis(100);

  private final Clock clock;
  private final LongSupplier nanoTime;
  private final AtomicInteger appending = new AtomicInteger();
  private volatile long lastAppendedNanos;
  private volatile boolean everAppended;

  /**
   * @param clock the clock records are journaled by, against which a round's age is told
   */
  IntakeFirst(Clock clock) {
    this(clock, System::nanoTime);
  }

  /** On the given monotonic time ({@link System#nanoTime()}), for tests. */
  IntakeFirst(Clock clock, LongSupplier nanoTime) {
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** Intake begins appending a batch; {@link #appended()} follows, whatever its outcome. */
  void appending() {
    appending.incrementAndGet();
  }

  /** Intake is done appending a batch. */
  void appended() {
    lastAppendedNanos = nanoTime.getAsLong();
    everAppended = true;
    appending.decrementAndGet();
  }

  /** Whether intake is appending a batch, or appended one within {@link #BUSY_AFTER}. */
  boolean intakeBusy() {
    return appending.get() > 0
        || everAppended && nanoTime.getAsLong() - lastAppendedNanos < BUSY_AFTER.toNanos();
  }

  /**
   * How long a consumer rests after a round that took {@code round}, the oldest of whose records
   * was journaled at {@code oldestJournaledAt}: zero unless intake is busy and the consumer caught
   * up.
   */
  Duration restAfter(Duration round, Instant oldestJournaledAt) {
    boolean caughtUp =
        Duration.between(oldestJournaledAt, clock.instant()).compareTo(JournalLag.CAUGHT_UP) < 0;
    if (!caughtUp || !intakeBusy()) {
      return Duration.ZERO;
    }
    Duration rest = round.multipliedBy(REST_PER_WORK);
    return rest.compareTo(LONGEST_REST) > 0 ? LONGEST_REST : rest;
  }
}
