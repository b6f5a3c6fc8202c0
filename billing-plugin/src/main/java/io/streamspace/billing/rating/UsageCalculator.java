package io.streamspace.billing.rating;

import io.streamspace.billing.account.AccountTermsLock;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.rating.RatingRepository.Rated;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * calculate-usage: rates every session's and every account's unrated time into usage records,
 * set-based, at most a bounded amount of it per run, in small committed steps. One transaction
 * closes the timed-out sessions; then the unrated work is found (the accounts split by hash into
 * {@link #RATING_TRANSACTIONS} shares, each scanned concurrently) and the accounts are rated in
 * chunks, one per {@link #CHUNK_SUBJECTS} sessions and accounts with something to rate, each chunk
 * a range of account ids and a transaction of its own, {@link #RATING_TRANSACTIONS} at once
 * (PostgreSQL runs each statement on one core), one at a time (and smaller) while this node
 * meters events, and after each round of chunks the run pauses {@link #PAUSE_PERCENT} % of the
 * round's time ({@link RatingPace}), so that the work it shares the machine with (intake) gets the
 * cores: an hour's rating is the sum of short transactions. A crash between chunks leaves each
 * account wholly rated or untouched (the committed chunks stay, the next run rates the others), and
 * a re-run or a concurrent run inserts nothing twice thanks to the watermarks, moved
 * compare-and-set in each chunk's transaction with its records, with the unique slice key as the
 * safety net. {@code RatingBenchmark} (in the tests) measures it.
 *
 * <p>This class plans a run and holds its transactions; what a run rates is decided by pure
 * rules ({@link RatingBound}: how much; {@link SliceCuts}: where time is cut; {@link
 * CurrencyRates}: at what prices), and {@link RatingRepository} holds the statements that carry
 * it out, each over every subject at once.
 *
 * <p>Semantics:
 * <ul>
 *   <li><b>Timeout.</b> A session without an end whose last heartbeat is older than the
 *       heartbeat timeout is closed at its last heartbeat ({@code heartbeat_timeout}).
 *   <li><b>Lateness.</b> Time is settled only up to {@code now - timeout}: events that arrive
 *       up to one timeout late are still billed exactly; later ones cannot change rated time.
 *   <li><b>Slices.</b> Unrated time {@code [rated_until or started_at, settle point)} is cut
 *       ({@link SliceCuts}) at every UTC hour and at every midnight in the billing zone (every
 *       billing-period start is one). An open session rates only slices that end by its settle
 *       point; an ended session also rates its final partial slice.
 *   <li><b>Bound.</b> A subject's (a session's, or an account's storage's) work is its unrated
 *       time up to its settle point. A run rates at most {@code hoursPerSubject} hours of a
 *       subject, and at most {@code hoursPerRun} hours in all: when more is waiting, each
 *       subject rates at most L hours past its watermark, L the largest whole number of hours
 *       (at least 1) at which Σ min(work, L) fits, so short backlogs complete and long ones (a
 *       session created weeks ago, a month of events replayed) are worked off over the next
 *       runs ({@link RatingBound}). The outcome says what is left.
 *   <li><b>Usage.</b> Σ size × overlap seconds over the size steps overlapping a slice, in
 *       exact unit-seconds: CPU core-seconds, memory GB-seconds, and storage GB-seconds of the
 *       account's level (the last reported by any of its sessions, kept after they end). Zero
 *       usage is not stored. Units ({@link UsageUnit}) are applied only when reporting.
 *   <li><b>Prices.</b> The rates in effect when the job runs in the account's currency
 *       ({@code computeRates} for the default currency, else {@code currencyRates}), stored
 *       with each record with that currency. An account whose currency is no longer
 *       configured is left unrated (its watermarks stay) until it is again: its usage is
 *       neither lost nor priced in another currency.
 *   <li><b>Storage only while suspended.</b> A session of an organization held for a spent
 *       prepaid balance (the wind-down) rates no cpu, memory or held meter for the hold's span
 *       ({@link PausedSteps}); the organization's storage runs on. A hibernated session's cpu,
 *       memory and held meters are rated for its hibernation's span at nothing, on records of
 *       their own ({@code hibernated}), which show it and what it saved.
 *   <li><b>Burns.</b> Once a chunk has stored records, its transaction runs the {@link RatedRun}
 *       the plugin wires in (the prepaid ledger's burns: what it rated of an organization on a
 *       prepaid plan taken from its balance), so a crash rolls both back together and a re-run,
 *       which rates a record once, burns it once.
 * </ul>
 */
public final class UsageCalculator {

  /**
   * What one run did, and what it left for the next runs.
   *
   * @param sessionsClosed   sessions closed for lack of heartbeats
   * @param recordsInserted  usage records inserted
   * @param sessionsRated    sessions whose watermark advanced
   * @param accountsRated    accounts whose storage watermark advanced
   * @param subjectsBehind   sessions and accounts the run's bound held back
   * @param hoursLeft        their work left (to their settle points), in hours rounded up
   */
  public record Outcome(
      long sessionsClosed,
      long recordsInserted,
      long sessionsRated,
      long accountsRated,
      long subjectsBehind,
      long hoursLeft) {

    /** This outcome and another chunk's of the same run. */
    Outcome plus(Outcome other) {
      return new Outcome(
          sessionsClosed + other.sessionsClosed,
          recordsInserted + other.recordsInserted,
          sessionsRated + other.sessionsRated,
          accountsRated + other.accountsRated,
          subjectsBehind + other.subjectsBehind,
          hoursLeft + other.hoursLeft);
    }

    public String summary() {
      String done =
          ("inserted %d usage records; rated %d sessions and %d storage accounts;"
                  + " closed %d timed-out sessions")
              .formatted(recordsInserted, sessionsRated, accountsRated, sessionsClosed);
      return subjectsBehind == 0
          ? done
          : done
              + "; %d sessions or accounts have %d hours left to rate, for the next runs"
                  .formatted(subjectsBehind, hoursLeft);
    }
  }

  /**
   * What a run prepares before rating: the sessions it closed, the earliest unrated instant
   * (null: nothing to rate), the hours each subject may rate and the subjects with some to rate.
   */
  private record Plan(long sessionsClosed, Instant earliest, int hours, long subjects) {}

  /** The accounts whose hash falls in {@code index} of {@code of} buckets: RANGE's scans. */
  private record Share(int index, int of) {
    static final Share ALL = new Share(0, 1);
  }

  /** At most this many hours of work per run, by default (see the class comment). */
  public static final int HOURS_PER_RUN = 1_000_000;

  /** At most this many hours of one subject per run, by default: 31 days. */
  public static final int HOURS_PER_SUBJECT = 31 * 24;

  /**
   * Rating transactions at once, by default: PostgreSQL runs a statement on one core, and the
   * reference machine has two.
   */
  public static final int RATING_TRANSACTIONS = 2;

  /**
   * Sessions and accounts per chunk, by default: a chunk's transaction takes a tenth of a second
   * or so, so that the work beside it waits no longer (and a chunk's statement, sorts included,
   * stays small).
   */
  public static final int CHUNK_SUBJECTS = 4_000;

  /** How long a run pauses after each round of chunks, by default: as long as the round took. */
  public static final int PAUSE_PERCENT = 100;

  private static final Logger log = LoggerFactory.getLogger(UsageCalculator.class);

  /** PostgreSQL's unique_violation: a record's key exists. */
  private static final String UNIQUE_VIOLATION = "23505";

  /** How often a chunk runs when deadlocks with the metering writer keep rolling it back. */
  private static final int CONFLICT_ATTEMPTS = 5;

  private final DataSource dataSource;
  private final RatingRepository rating = new RatingRepository();
  private final RatingBound bound;
  private final int transactions;
  private final int chunkSubjects;
  private final BackgroundLane lane;
  private final RatingPace pace;
  private final RatedRun after;

  public UsageCalculator(DataSource dataSource) {
    this(dataSource, HOURS_PER_RUN, HOURS_PER_SUBJECT);
  }

  /**
   * The default bounds, with {@code after} acting on each chunk's records in its transaction, and
   * on {@code lane}: a run holds it, and rates one smaller chunk at a time while events are
   * metered ({@link RatingPace}).
   */
  public UsageCalculator(DataSource dataSource, RatedRun after, BackgroundLane lane) {
    this(
        dataSource,
        HOURS_PER_RUN,
        HOURS_PER_SUBJECT,
        RATING_TRANSACTIONS,
        CHUNK_SUBJECTS,
        PAUSE_PERCENT,
        after,
        lane);
  }

  public UsageCalculator(DataSource dataSource, int hoursPerRun, int hoursPerSubject) {
    this(
        dataSource,
        hoursPerRun,
        hoursPerSubject,
        RATING_TRANSACTIONS,
        CHUNK_SUBJECTS,
        PAUSE_PERCENT);
  }

  /**
   * @param hoursPerRun     the most hours of work (session-hours and storage-hours) per run
   * @param hoursPerSubject the most hours of one session's or account's storage per run
   * @param transactions    the rating transactions a run runs at once
   * @param chunkSubjects   about how many sessions and accounts a chunk rates
   * @param pausePercent    how long a run pauses after each round of chunks, in % of its time
   */
  public UsageCalculator(
      DataSource dataSource,
      int hoursPerRun,
      int hoursPerSubject,
      int transactions,
      int chunkSubjects,
      int pausePercent) {
    this(
        dataSource,
        hoursPerRun,
        hoursPerSubject,
        transactions,
        chunkSubjects,
        pausePercent,
        RatedRun.NONE,
        BackgroundLane.quiet());
  }

  private UsageCalculator(
      DataSource dataSource,
      int hoursPerRun,
      int hoursPerSubject,
      int transactions,
      int chunkSubjects,
      int pausePercent,
      RatedRun after,
      BackgroundLane lane) {
    this.after = after;
    this.bound = new RatingBound(hoursPerRun, hoursPerSubject);
    if (transactions < 1 || chunkSubjects < 1 || pausePercent < 0) {
      throw new IllegalArgumentException(
          "a run needs at least one rating transaction, chunks of at least one subject and"
              + " pauses of no less than nothing");
    }
    this.dataSource = dataSource;
    this.transactions = transactions;
    this.chunkSubjects = chunkSubjects;
    this.lane = lane;
    this.pace = new RatingPace(transactions, pausePercent, lane);
  }

  /** {@link #runInChunks}'s outcome. */
  public Outcome run(BillingConfig config, Instant now) throws SQLException {
    return runInChunks(config, now).outcome();
  }

  /**
   * Rates what is settled at {@code now} under {@code config}, up to the bound: one transaction
   * closes the timed-out sessions, then the unrated work is found and the accounts are rated in
   * chunks, {@code transactions} at once, each chunk atomic, with a pause after each round; on
   * the background lane ({@link BackgroundLane}), which it lets go of while it pauses.
   */
  public RatingReport runInChunks(BillingConfig config, Instant now) throws SQLException {
    return lane.hold(() -> runOnTheLane(config, now));
  }

  private RatingReport runOnTheLane(BillingConfig config, Instant now) throws SQLException {
    try (Concurrently lanes = new Concurrently(transactions)) {
      return runOnTheLane(config, now, lanes);
    }
  }

  private RatingReport runOnTheLane(BillingConfig config, Instant now, Concurrently lanes)
      throws SQLException {
    long began = System.nanoTime();
    Timestamp cap = Timestamp.from(now.minus(config.sessionHeartbeatTimeout()));
    long closed =
        Transactions.inTransaction(dataSource, connection -> closeAndSettle(connection, cap));
    Plan plan = plan(closed, config, cap, unratedWorkConcurrently(config, cap, lanes));
    Outcome total = new Outcome(plan.sessionsClosed(), 0, 0, 0, 0, 0);
    if (plan.earliest() == null || plan.subjects() == 0) {
      return new RatingReport(
          total, 0, 0, Duration.ofNanos(System.nanoTime() - began), Duration.ZERO);
    }
    int perChunk = pace.subjectsPerChunk(chunkSubjects);
    int wanted = (int) Math.max(transactions, (plan.subjects() - 1) / perChunk + 1);
    List<KeyRange> chunks =
        Transactions.inTransaction(dataSource, connection -> rating.chunks(connection, wanted));
    long roundsBegan = System.nanoTime();
    RatingPace.Paced paced =
        pace.rate(chunks, total, lanes, chunk -> rateChunkOnce(config, now, cap, plan, chunk));
    Duration own = Duration.ofNanos(roundsBegan - began + paced.workNanos());
    return new RatingReport(
        paced.outcome(),
        chunks.size(),
        paced.rounds(),
        own,
        Duration.ofNanos(System.nanoTime() - began).minus(own));
  }

  /** The job's statements in one transaction, on a connection whose transaction the caller owns. */
  Outcome rate(Connection connection, BillingConfig config, Instant now, Timestamp cap)
      throws SQLException {
    long closed = closeAndSettle(connection, cap);
    UnratedWork work =
        rating.unratedWork(
            connection,
            CurrencyRates.of(config),
            config.currency().getCurrencyCode(),
            cap,
            lastCut(config, cap),
            Share.ALL.of(),
            Share.ALL.index());
    Plan plan = plan(closed, config, cap, work);
    Outcome closedOnly = new Outcome(plan.sessionsClosed(), 0, 0, 0, 0, 0);
    return plan.earliest() == null
        ? closedOnly
        : closedOnly.plus(
            rateChunk(
                connection, config, now, cap, plan.earliest(), plan.hours(), KeyRange.ALL, false));
  }

  /** Closes the timed-out sessions and settles the empty ones: how many it closed. */
  private long closeAndSettle(Connection connection, Timestamp cap) throws SQLException {
    AccountTermsLock.share(connection); // no account changes currency under the run
    long closed = rating.closeTimedOut(connection, cap);
    rating.settleEmpty(connection);
    return closed;
  }

  /**
   * RANGE for each share in a transaction of its own, concurrently (each a scan of its share of
   * the subjects, on a core of its own), added up: one share per lane ({@link RatingPace#lanes},
   * a single one while events are metered).
   */
  private UnratedWork unratedWorkConcurrently(
      BillingConfig config, Timestamp cap, Concurrently lanes) throws SQLException {
    List<CurrencyRates> rates = CurrencyRates.of(config);
    String defaultCurrency = config.currency().getCurrencyCode();
    Instant lastCut = lastCut(config, cap);
    int shares = pace.lanes();
    return lanes.run(
        IntStream.range(0, shares)
            .mapToObj(i -> new Share(i, shares))
            .<Callable<UnratedWork>>map(
                share ->
                    () ->
                        Transactions.inTransaction(
                            dataSource,
                            connection -> {
                              AccountTermsLock.share(connection);
                              return rating.unratedWork(
                                  connection,
                                  rates,
                                  defaultCurrency,
                                  cap,
                                  lastCut,
                                  share.of(),
                                  share.index());
                            }))
            .toList(),
        new UnratedWork(null, BigDecimal.ZERO, 0, List.of()),
        UnratedWork::plus);
  }

  /** The last cut at or before {@code cap} in the config's zone ({@link RunCuts#lastCut}). */
  private static Instant lastCut(BillingConfig config, Timestamp cap) {
    return RunCuts.lastCut(new SliceCuts(config.billingTimeZone()), cap.toInstant());
  }

  /** The run's extent from the unrated work RANGE found, with the level when over the bound. */
  private Plan plan(long closed, BillingConfig config, Timestamp cap, UnratedWork work)
      throws SQLException {
    if (!work.currenciesUnrated().isEmpty()) {
      log.warn(
          "accounts in {} are left unrated: their currency has no configured rates "
              + "(add them to currencyRates)",
          work.currenciesUnrated());
    }
    if (work.earliest() == null) {
      return new Plan(closed, null, 0, 0);
    }
    if (bound.fits(work.seconds())) {
      return new Plan(closed, work.earliest(), bound.hoursPerSubject(), work.subjects());
    }
    List<CurrencyRates> rates = CurrencyRates.of(config);
    String defaultCurrency = config.currency().getCurrencyCode();
    BigDecimal level =
        Transactions.inTransaction(
                dataSource,
                connection ->
                    rating.level(connection, rates, defaultCurrency, cap, bound.runSeconds()))
            // no level: the work shrank to within the bound since RANGE
            .orElse(bound.runSeconds());
    return new Plan(closed, work.earliest(), bound.hoursAtLevel(level), work.subjects());
  }

  /**
   * One chunk in a transaction of its own; when the insert found records past a watermark (reset
   * by hand), rated again leaving those out.
   */
  private Outcome rateChunkOnce(
      BillingConfig config, Instant now, Timestamp cap, Plan plan, KeyRange chunk)
      throws SQLException {
    try {
      return rateChunkRetryingConflicts(config, now, cap, plan, chunk, false);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      log.warn(
          "calculate-usage found usage records past a watermark (reset by hand?) in the"
              + " accounts from '{}' to '{}': rating them again without them ({})",
          chunk.lo(),
          chunk.hi(),
          e.getMessage());
      return rateChunkRetryingConflicts(config, now, cap, plan, chunk, true);
    }
  }

  private Outcome rateChunkRetryingConflicts(
      BillingConfig config, Instant now, Timestamp cap, Plan plan, KeyRange chunk, boolean probing)
      throws SQLException {
    // the metering writer updates sessions meanwhile, in its own order
    return Transactions.inTransactionRetryingConflicts(
        dataSource,
        CONFLICT_ATTEMPTS,
        connection ->
            rateChunk(connection, config, now, cap, plan.earliest(), plan.hours(), chunk, probing));
  }

  /**
   * RATE with the earliest unrated instant that RANGE found, each subject rating at most
   * {@code hours} hours; a separate step so that tests can commit a subject in between, as a
   * concurrent flush may.
   */
  Outcome rateFrom(
      Connection connection,
      BillingConfig config,
      Instant now,
      Timestamp cap,
      Instant from,
      int hours)
      throws SQLException {
    return rateChunk(connection, config, now, cap, from, hours, KeyRange.ALL, false);
  }

  /** RATE for one chunk of the accounts ({@code probing}: see {@link RatingRepository#rate}). */
  private Outcome rateChunk(
      Connection connection,
      BillingConfig config,
      Instant now,
      Timestamp cap,
      Instant from,
      int hours,
      KeyRange chunk,
      boolean probing)
      throws SQLException {
    // the run's number for its records, before any lock on a row: invoices claim by it
    long run = RatingRuns.begin(connection);
    AccountTermsLock.share(connection); // no account changes currency under the run
    Rated rated =
        rating.rate(
            connection,
            RunCuts.of(new SliceCuts(config.billingTimeZone()), from, cap.toInstant()),
            CurrencyRates.of(config),
            from,
            hours,
            chunk,
            config.currency().getCurrencyCode(),
            cap,
            now,
            probing,
            run,
            config.activityRates());
    if (rated.records() > 0) {
      after.rated(connection, config, run, from, cap.toInstant(), now);
    }
    return new Outcome(
        0, rated.records(), rated.sessions(), rated.accounts(), rated.behind(), rated.hoursLeft());
  }
}
