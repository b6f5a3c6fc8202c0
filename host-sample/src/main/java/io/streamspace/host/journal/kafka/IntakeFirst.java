package io.streamspace.host.journal.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Intake first: while this node's intake is journaling batches, the journal's consumers on this
 * node (the index and each plugin's) rest after each round {@link #REST_PER_WORK} times as long
 * as the round took (at most {@link #LONGEST_REST}), as long as the round's oldest record was
 * journaled less than {@link #RESTS_WITHIN} ago; further behind they run flat out. So a burst is
 * journaled at intake's pace, not held to the consumers', and applied after it, which the topic
 * is there for. On one machine of two cores, intake on Kafka journaled 0.22-0.28 × a raw
 * producer's rate with the consumers beside it, 0.34-0.40 × with them resting
 * (docs/benchmark-history.md, run AJ).
 *
 * <p>The price is freshness, under a steady load as in a burst: a load the consumers keep up with
 * flat out but not resting keeps them about {@link #RESTS_WITHIN} behind, and a load they cannot
 * keep up with at all leaves them further behind, as before. A plugin's round counts its wait for
 * the index as its time, so it rests the longer for it.
 *
 * <p>Intake counts as journaling while a batch is being journaled, and for {@link #BUSY_AFTER}
 * after one was: the gap between a client's batches.
 *
 * <p>An operator may switch it off ({@code --kafka-intake-first off}, {@link
 * KafkaSettings#intakeFirst}): the consumers then never rest, as on a node with cores to spare.
 */
final class IntakeFirst {

  /** How long a consumer rests after a round, per unit of the round's time. */
  static final int REST_PER_WORK = 2;

  /** The longest rest after one round, however long it took. */
  static final Duration LONGEST_REST = Duration.ofSeconds(1);

  /** How far behind a consumer may be and still rest: half a minute of a burst. */
  static final Duration RESTS_WITHIN = Duration.ofSeconds(30);

  /** How long intake counts as journaling after a batch was journaled. */
  static final Duration BUSY_AFTER = Duration.ofMillis(100);

  private final Clock clock;
  private final LongSupplier nanoTime;
  private final boolean on;
  private final AtomicInteger journaling = new AtomicInteger();
  // when a batch was last journaled; concurrent batches may leave an earlier one's time, a few
  // milliseconds off
  private volatile long journaledNanos;

  /**
   * @param clock the clock records are journaled by, against which a round's age is told
   */
  IntakeFirst(Clock clock, boolean on) {
    this(clock, System::nanoTime, on);
  }

  /**
   * On the given monotonic time ({@link System#nanoTime()}), for tests.
   *
   * @param on false: a consumer never rests
   */
  IntakeFirst(Clock clock, LongSupplier nanoTime, boolean on) {
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.on = on;
    this.journaledNanos = nanoTime.getAsLong() - BUSY_AFTER.toNanos();
  }

  /** Journals a batch by {@code journal}: meanwhile and just after, intake counts as journaling. */
  <T> T journaling(Supplier<T> journal) {
    journaling.incrementAndGet();
    try {
      return journal.get();
    } finally {
      journaledNanos = nanoTime.getAsLong();
      journaling.decrementAndGet();
    }
  }

  /** Whether intake is journaling a batch, or journaled one within {@link #BUSY_AFTER}. */
  boolean intakeBusy() {
    return journaling.get() > 0 || nanoTime.getAsLong() - journaledNanos < BUSY_AFTER.toNanos();
  }

  /**
   * How long a consumer rests after a round that took {@code round}, the oldest of whose records
   * was journaled at {@code oldestJournaledAt}: zero unless intake first is on, intake is busy
   * and the round began within {@link #RESTS_WITHIN} of the journal's end. The oldest record is
   * looked for only when the first two hold (a pass over the round's records).
   */
  Duration restAfter(Duration round, Supplier<Instant> oldestJournaledAt) {
    if (!on || !intakeBusy()) {
      return Duration.ZERO;
    }
    Duration behind = Duration.between(oldestJournaledAt.get(), clock.instant());
    if (behind.compareTo(RESTS_WITHIN) >= 0) {
      return Duration.ZERO;
    }
    Duration rest = round.multipliedBy(REST_PER_WORK);
    return rest.compareTo(LONGEST_REST) > 0 ? LONGEST_REST : rest;
  }
}
