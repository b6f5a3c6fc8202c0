package io.streamspace.billing.pace;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One piece of background work at a time while events are metered on this node: calculate-usage,
 * roll-up-usage, check-quotas, refresh-dashboard and admission's reloads each hold the lane while
 * they work ({@link #hold}) and let go of it while they pause between their steps ({@link
 * #pause}), so that beside intake the background takes one core, not one each. Each paces itself
 * to a third of a core or so, but on its own: at the hour they start at the same second, and in
 * run AI the hour's run began beside refresh-dashboard's statement and an admission reload, three
 * statements on two cores beside intake, while the run's slowest batches were under way
 * (docs/benchmark-history.md). On a node that meters nothing, nothing waits: each works at once.
 *
 * <p>A work waits for the lane {@link #LONGEST_WAIT} at most, then works beside the one holding
 * it, so that none stops for good behind another. The lane is taken before the work's
 * transactions begin, and taken back only in its pauses, which hold no transaction (admission's
 * reload, whose snapshot spans its pauses, keeps the lane through them instead). A work begun on
 * a quiet node joins the lane at its first pause once events arrive. A thread's turn is one: work
 * within it holds the lane without waiting for itself.
 */
public final class BackgroundLane {

  /** Work done on the lane. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /** How long a work waits for the lane at most (see the class comment). */
  static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(BackgroundLane.class);

  // fair: the works take the lane in the order they asked for it
  private final Semaphore lane = new Semaphore(1, true);
  private final BooleanSupplier metering;
  private final Duration longestWait;
  // this thread's turn, while it has one
  private final ThreadLocal<Hold> turns = new ThreadLocal<>();

  /** A thread's turn: whether it holds the lane now (not while it pauses, nor on a quiet node). */
  private static final class Hold {
    boolean taken;
  }

  /** @param metering whether events are being metered on this node now */
  public BackgroundLane(BooleanSupplier metering) {
    this(metering, LONGEST_WAIT);
  }

  BackgroundLane(BooleanSupplier metering, Duration longestWait) {
    this.metering = metering;
    this.longestWait = longestWait;
  }

  /** A lane on which nothing waits: a node that meters nothing, or a test of the work alone. */
  public static BackgroundLane quiet() {
    return new BackgroundLane(() -> false);
  }

  /** Whether events are being metered on this node now: the background then paces itself. */
  public boolean busy() {
    return metering.getAsBoolean();
  }

  /**
   * Does {@code work} holding the lane while events are metered (waiting for it first, {@link
   * #LONGEST_WAIT} at most), at once otherwise or when this thread holds it already.
   */
  public <T, E extends Exception> T hold(Work<T, E> work) throws E {
    try (Turn turn = enter()) {
      return work.run();
    }
  }

  /**
   * This thread's turn on the lane, for work that throws more than one kind of exception: taken
   * as {@link #hold} takes it, given back when closed.
   */
  public Turn enter() {
    if (turns.get() != null) {
      return new Turn(null); // within this thread's turn already
    }
    Hold hold = new Hold();
    hold.taken = busy() && take();
    turns.set(hold);
    return new Turn(hold);
  }

  /** A thread's turn on the lane ({@link #enter}). */
  public final class Turn implements AutoCloseable {

    // null for a turn within one this thread has already, which gives nothing back
    private final Hold hold;

    private Turn(Hold hold) {
      this.hold = hold;
    }

    @Override
    public void close() {
      if (hold == null) {
        return;
      }
      turns.remove();
      if (hold.taken) {
        lane.release();
      }
    }
  }

  /**
   * Sleeps {@code pause}, letting go of the lane meanwhile when this thread holds it, for the
   * other works to take; within a turn, takes it (back) after while events are metered, so that a
   * work begun on a quiet node joins the lane once events arrive.
   *
   * @throws InterruptedException when interrupted (the host stopping), while sleeping or waiting
   *     for the lane: the turn then holds it no more
   */
  public void pause(Duration pause) throws InterruptedException {
    Hold hold = turns.get();
    if (hold == null) {
      TimeUnit.NANOSECONDS.sleep(pause.toNanos());
      return;
    }
    if (hold.taken) {
      lane.release();
      hold.taken = false;
    }
    TimeUnit.NANOSECONDS.sleep(pause.toNanos());
    hold.taken = busy() && take();
    if (Thread.interrupted()) {
      if (hold.taken) {
        lane.release();
        hold.taken = false;
      }
      throw new InterruptedException("interrupted while waiting for the background lane");
    }
  }

  /** How many works wait for the lane now (tests wait for one to). */
  int waiting() {
    return lane.getQueueLength();
  }

  private boolean take() {
    try {
      if (lane.tryAcquire(longestWait.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
      log.info(
          "background work waited {} s for another to leave the background lane: it goes on"
              + " beside it",
          longestWait.toSeconds());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the host is stopping: the work ends soon without it
      return false;
    }
  }
}
