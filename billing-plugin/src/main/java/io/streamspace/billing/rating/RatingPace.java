package io.streamspace.billing.rating;

import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.rating.UsageCalculator.Outcome;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a calculate-usage run paces its chunks, so that the work it shares the machine with keeps
 * the cores it needs: in rounds, each followed by a pause of {@code pausePercent} % of the round's
 * time ({@link #LONGER_PAUSE_WHILE_METERING} times that while events are metered). While no
 * events are being metered on this node, a round rates {@link #CHUNKS_PER_LANE}
 * chunks for each of {@code transactions} lanes, which rate at once (PostgreSQL runs each on a core
 * of its own), each taking the round's next chunk as soon as it has rated one: the round waits for
 * its last chunk, not for the slower of each pair (a tenth of the chunks' time in rounds of one
 * chunk a lane). While events are metered, a round rates one chunk: then rating takes one core, not
 * all of them, and intake's batches, whose answer includes metering them, do not wait behind it.
 * A run begun while events are metered also rates smaller chunks ({@link #subjectsPerChunk}),
 * whose locks the metering writer waits for less long. An hour's rating alone still runs on every
 * core, in the usual chunks.
 *
 * <p>A round's work is its chunks' time shared by its lanes ({@link #work}), not its wall time:
 * at a round's end a lane that has rated its last chunk waits for the others' (40–100 ms a round
 * under {@code auto_explain}, docs/benchmark-history.md, run AO), a wait the rounds make for
 * their pauses, which a run without them does not make (run AP). Within a round the lanes rate at
 * once, as they would without pauses, so each chunk's time is about what it would be then: the
 * round's last runs partly alone, somewhat faster. The run's last round counts its wall time: a
 * run without rounds waits for its last chunk too.
 */
final class RatingPace {

  /** Rates one chunk in a transaction of its own. */
  interface Chunk {
    Outcome rate(KeyRange chunk) throws SQLException;
  }

  /**
   * What the rounds did.
   *
   * @param outcome   the rounds' outcomes added to the one before them
   * @param rounds    how many rounds ran
   * @param workNanos the rounds' work: each round's chunks' time shared by its lanes ({@link
   *                  #work}), the last round's wall time
   */
  record Paced(Outcome outcome, int rounds, long workNanos) {}

  /** Chunks' outcomes and how long their transactions took, added up. */
  private record Rated(Outcome outcome, long nanos) {
    static final Rated NONE = new Rated(new Outcome(0, 0, 0, 0, 0, 0), 0);

    Rated plus(Rated other) {
      return new Rated(outcome.plus(other.outcome), nanos + other.nanos);
    }
  }

  /** How many chunks a round has for each lane while no events are metered. */
  static final int CHUNKS_PER_LANE = 2;

  /** How many times smaller a run's chunks are when it begins while events are metered. */
  static final int SMALLER_WHILE_METERING = 8;

  /**
   * How many times longer the pause after a round is while events are metered: rating then takes a
   * third of a core, not half, beside intake. Alternated on a 2-core machine (intake-with-rating,
   * 100,000 sessions): intake's p99 beside the runs 243.3 and 256.5 ms with pauses twice a round's
   * time, 281.8 and 269.6 ms with pauses as long; the hour's run took 24–26 s of wall time
   * instead of 17–18 s, the same 8.5–9.4 s of its own (docs/benchmark-history.md, run AE).
   */
  static final int LONGER_PAUSE_WHILE_METERING = 2;

  /** The longest time between two progress lines in the log while a run rates. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(RatingPace.class);

  private final int transactions;
  private final int pausePercent;
  private final BackgroundLane lane;

  /**
   * @param transactions the lanes that rate a round's chunks at once while nothing is metered
   * @param pausePercent how long a run pauses after each round, in % of the round's time
   * @param lane         the background lane, which says whether events are being metered on
   *     this node now, and which the run lets go of while it pauses
   */
  RatingPace(int transactions, int pausePercent, BackgroundLane lane) {
    this.transactions = transactions;
    this.pausePercent = pausePercent;
    this.lane = lane;
  }

  /**
   * About how many subjects a run's chunks rate: {@code usual}, or a {@link
   * #SMALLER_WHILE_METERING}th of it when events are being metered as the run begins. A chunk's
   * sessions stay locked until its transaction commits, and the metering writer's batch, which
   * intake's answer waits for, holds sessions of every chunk: it waits for the chunk in hand.
   */
  int subjectsPerChunk(int usual) {
    return lane.busy() ? Math.max(1, usual / SMALLER_WHILE_METERING) : usual;
  }

  /**
   * How many transactions a run's scans take at once now: one while events are being metered
   * (rating then takes one core, not all of them, as its rounds do), else {@code transactions}.
   * A run's first scan, of every session and account for the work left, on both cores of a
   * 2-core machine gave intake its slowest batches beside the run (docs/benchmark-history.md, run
   * AF).
   */
  int lanes() {
    return lane.busy() ? 1 : transactions;
  }

  /**
   * The chunks rated round by round, in order, after {@code before}, each round's by {@code
   * lanes} at once ({@link Concurrently#eachOf}); stops early when stopping.
   */
  Paced rate(List<KeyRange> chunks, Outcome before, Concurrently lanes, Chunk chunk)
      throws SQLException {
    Outcome total = before;
    int rounds = 0;
    long work = 0;
    long logged = System.nanoTime();
    int done = 0;
    while (done < chunks.size()) {
      boolean busy = lane.busy();
      int atOnce = busy ? 1 : transactions * CHUNKS_PER_LANE;
      List<KeyRange> these = chunks.subList(done, Math.min(chunks.size(), done + atOnce));
      int laneCount = Math.min(busy ? 1 : transactions, these.size());
      long began = System.nanoTime();
      Rated rated =
          lanes.eachOf(
              these,
              laneCount,
              one -> {
                long start = System.nanoTime();
                Outcome outcome = chunk.rate(one);
                return new Rated(outcome, System.nanoTime() - start);
              },
              Rated.NONE,
              Rated::plus);
      long ended = System.nanoTime();
      total = total.plus(rated.outcome());
      done += these.size();
      rounds++;
      if (done == chunks.size()) {
        work += ended - began; // a run without rounds waits for its last chunk too
        break;
      }
      work += work(rated.nanos(), laneCount);
      if (ended - logged >= PROGRESS_EVERY.toNanos()) {
        log.info(
            "calculate-usage: {} of {} chunks rated, {} usage records so far",
            done,
            chunks.size(),
            total.recordsInserted());
        logged = ended;
      }
      long pause = (ended - began) * pausePercent * (busy ? LONGER_PAUSE_WHILE_METERING : 1) / 100;
      if (!pause(Duration.ofNanos(pause))) {
        break; // the host is stopping: the chunks left are the next run's
      }
    }
    return new Paced(total, rounds, work);
  }

  /**
   * A round's work: its chunks' time ({@code chunkNanos}, added up) shared by the {@code lanes}
   * that rated them at once; what the round would have taken had no lane waited for another's
   * last chunk.
   */
  static long work(long chunkNanos, int lanes) {
    return chunkNanos / lanes;
  }

  /** Sleeps {@code pause}, letting go of the background lane meanwhile; false when interrupted. */
  private boolean pause(Duration pause) {
    try {
      lane.pause(pause);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
