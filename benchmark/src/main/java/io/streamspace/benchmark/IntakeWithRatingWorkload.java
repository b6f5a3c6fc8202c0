package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The intake workload's traffic ({@link SessionTraffic}) while calculate-usage runs every minute
 * through the host's scheduler ({@code usageCalculationInterval} set to {@code * * * * *} for the
 * run). The sessions are created at the start of the last whole hour a run may rate, so the
 * first run during the window rates an hour of every session (a cpu and a memory record each)
 * while the heartbeats flow. Full size sends for 130 s, so that two scheduled runs start within
 * it, or one that outlasts the minute ({@link #expectedRuns}); small sends for 4 s, too short to
 * wait for a minute's cron, so it also runs the job through its route ({@code POST
 * .../jobs/calculate-usage}, the scheduler's run-now) a third of the way in, once billing holds
 * the sessions. Checks that every batch was accepted and journaled once, that the schedule in
 * effect was every minute ({@code GET .../jobs/status}), and that the runs overlapping the window
 * (the host's run history, {@code host_job_runs}) are as many as wanted and all succeeded. Two
 * rows: intake's latencies per batch, the target, over the batches under way while a run ran, and
 * in its name the same run's baseline, the heartbeat batches under way while none ran (what
 * rating adds is the difference: intake at full speed has a tail of its own), and the latencies
 * over every batch (the sessions' creation round, before any run, is slower and not what the
 * target is about); and those runs' own time ({@link RatingCost}) beside their wall time, against
 * a {@code COPY} of as many rows as they rated.
 */
final class IntakeWithRatingWorkload implements Workload {

  static final String NAME = "intake-with-rating";
  private static final String JOB = "calculate-usage";
  private static final String EVERY_MINUTE = "* * * * *";
  private static final Duration TARGET_P99 = Duration.ofMillis(250);

  /**
   * How long before the cron's next run the window may start, at least: the sessions' creation
   * round (about 10 s at full size on a 2-core machine) ends before any run.
   */
  static final Duration CREATION_CLEAR = Duration.ofSeconds(20);

  /**
   * How long a run the cron started in the window may go on rating after intake stops (on Kafka,
   * beside the apply of the burst's backlog) before the window counts as short of runs.
   */
  private static final Duration RUN_END_WAIT = Duration.ofMinutes(5);

  private static final String RUNS =
      """
      SELECT started_at, ended_at, outcome, rows_touched, request_id IS NULL, message
      FROM host_job_runs
      WHERE plugin_id = 'billing' AND job_name = ? AND started_at < ? AND ended_at > ?
      ORDER BY started_at
      """;

  // the host's scheduler keys a plugin's job by the plugin's id (its group) and the job's name
  private static final String EXECUTING =
      """
      SELECT 1 FROM qrtz_fired_triggers
      WHERE job_group = 'billing' AND job_name = ? AND state = 'EXECUTING' AND fired_time < ?
      """;

  /**
   * One calculate-usage run that overlapped the window, from the host's run history: {@code own}
   * its own time ({@link RatingCost#own}), null for a failed run.
   */
  record Run(
      Instant startedAt, Duration took, boolean succeeded, long rows, boolean cron, Duration own) {

    @Override
    public String toString() {
      return "%s run at %s, %d ms (%s of its own), %s, %,d records"
          .formatted(
              cron ? "scheduled" : "manual",
              startedAt,
              took.toMillis(),
              own == null ? "?" : own.toMillis() + " ms",
              succeeded ? "succeeded" : "FAILED",
              rows);
    }

    /** Whether this run began before {@code mark} and was still rating at it. */
    boolean rating(Instant mark) {
      return startedAt.isBefore(mark) && startedAt.plus(took).isAfter(mark);
    }

    /** Whether {@code batch} was under way while this run ran. */
    boolean overlaps(EventSender.Batch batch) {
      return batch.sentAt().isBefore(startedAt.plus(took)) && batch.answeredAt().isAfter(startedAt);
    }
  }

  /**
   * How long to wait at {@code now} before the window starts: when the cron's next run (every
   * minute, on the minute) is less than {@link #CREATION_CLEAR} away, until two seconds after it;
   * else not at all. A run that began with the creation round under way rated part of the sessions
   * beside it, and the round's batches counted among those under way while a run ran (seen once:
   * p99 564 ms, where the run before of the same build measured 253 ms).
   */
  static Duration waitBeforeWindow(Instant now) {
    Instant nextRun = now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    Duration left = Duration.between(now, nextRun);
    return left.compareTo(CREATION_CLEAR) < 0 ? left.plusSeconds(2) : Duration.ZERO;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    boolean small = context.size() == BenchSize.SMALL;
    int sessions = context.size().pick(2_000, 100_000);
    Duration window = Duration.ofSeconds(context.size().pick(4, 130));
    BillingClient billing = new BillingClient(context);
    BenchHttp http = new BenchHttp(context.baseUrl());
    EventSender sender = new EventSender(http, context.platformToken());
    long timeoutMinutes = billing.config().path("sessionHeartbeatTimeoutMinutes").asLong(10);
    Instant hourStart =
        Instant.now()
            .minus(Duration.ofMinutes(timeoutMinutes))
            .truncatedTo(ChronoUnit.HOURS)
            .minus(Duration.ofHours(1));
    String prefix = "bench-ir" + System.currentTimeMillis() + "-";
    SessionTraffic traffic = new SessionTraffic(prefix, sessions, hourStart);
    String size = String.format("%,d sessions, %d s", sessions, window.toSeconds());

    EventSender.Sent sent;
    Duration sending;
    List<Run> runs;
    int wanted;
    try (ConfigPatch everyMinute =
        ConfigPatch.apply(billing, Map.of("usageCalculationInterval", EVERY_MINUTE))) {
      if (!small) {
        Duration wait = waitBeforeWindow(Instant.now());
        if (!wait.isZero()) {
          context
              .progress()
              .line(NAME + ": waiting " + wait.toSeconds() + " s for the cron's next run to pass");
          Thread.sleep(wait.toMillis());
        }
      }
      context.progress().line(NAME + ": posting events of " + size + ", " + JOB + " every minute");
      Instant from = Instant.now();
      long began = System.nanoTime();
      ScheduledExecutorService trigger = Executors.newSingleThreadScheduledExecutor();
      try {
        ScheduledFuture<JsonNode> manual =
            small
                ? trigger.schedule(
                    () -> {
                      awaitBeating(
                          context.dataSource(),
                          traffic.prefix(),
                          sessions,
                          hourStart.plusSeconds(3600));
                      return billing.runJob(JOB);
                    },
                    window.toMillis() / 3,
                    TimeUnit.MILLISECONDS)
                : null;
        sent = traffic.sustain(sender, began + window.toNanos());
        sending = EventSender.since(began);
        if (manual != null) {
          manual.get();
        }
      } finally {
        trigger.shutdownNow();
      }
      Instant to = from.plus(sending);
      checkEveryMinute(billing, context.adminToken());
      runs = runsDuring(context.dataSource(), from, to, context.progress());
      wanted = expectedRuns(from, to, runs);
    }
    context
        .progress()
        .line(
            String.format(
                "%s: %,d events sent in %d ms, %d %s run(s) overlapped",
                NAME, sent.events(), sending.toMillis(), runs.size(), JOB));
    runs.forEach(run -> context.progress().line(NAME + ": " + run));
    traffic.checkJournaledOnce(context.dataSource(), sent, context.progress());
    long scheduled = runs.stream().filter(Run::cron).count();
    if (runs.stream().anyMatch(run -> !run.succeeded()) || runs.size() < wanted) {
      throw new IllegalStateException(
          "%s run(s) overlapped the intake; wanted %d, all succeeded".formatted(runs, wanted));
    }
    context.progress().line(NAME + ": ending the sessions (not measured)");
    http.awaitBillingCaughtUp();
    traffic.end(sender);
    http.awaitBillingCaughtUp();

    long rated = runs.stream().mapToLong(Run::rows).sum();
    Duration own = runs.stream().map(Run::own).reduce(Duration.ZERO, Duration::plus);
    Duration wall = runs.stream().map(Run::took).reduce(Duration.ZERO, Duration::plus);
    Duration copy =
        rated == 0
            ? null
            : RatingCost.copy(context.dataSource(), rated, hourStart, hourStart.plusSeconds(3600));
    // the target is intake while rating: the batches under way while a run ran; the heartbeats
    // while none ran are the baseline, and the creation round (before any run) is left out of it
    List<Long> whileRating = new ArrayList<>();
    List<Long> beside = new ArrayList<>();
    List<EventSender.Batch> batches = sent.batches();
    for (int b = 0; b < batches.size(); b++) {
      EventSender.Batch batch = batches.get(b);
      if (runs.stream().anyMatch(run -> run.overlaps(batch))) {
        whileRating.add(batch.nanos());
      } else if (b >= traffic.creationBatches()) {
        beside.add(batch.nanos());
      }
    }
    Latencies during = Latencies.of(whileRating);
    Latencies noRun = Latencies.of(beside);
    Latencies all = Latencies.of(sent.batchNanos());
    String how =
        small
            ? "%d through POST .../jobs/%s mid-way, %d by the cron"
                .formatted(runs.size() - scheduled, JOB, scheduled)
            : "%d by the cron".formatted(scheduled);
    return List.of(
        new BenchRow(
            "%s: intake's events over HTTP while %s runs every minute (p50/p99 per batch under way"
                    .formatted(NAME, JOB)
                + " while a run ran: %,d of %,d batches; %d run(s) overlapped: %s; p50/p99 of"
                    .formatted(whileRating.size(), sent.batches().size(), runs.size(), how)
                + " the %,d heartbeat batches under way while none ran, the same run's baseline:"
                    .formatted(beside.size())
                + " %s / %s; of every batch, the sessions' creation included: %s / %s)"
                    .formatted(
                        BenchTable.latency(noRun.p50()),
                        BenchTable.latency(noRun.p99()),
                        BenchTable.latency(all.p50()),
                        BenchTable.latency(all.p99())),
            size,
            sending,
            sent.events() / IntakeWorkload.seconds(sending),
            "events",
            during.p50(),
            during.p99(),
            null,
            null,
            "p99 per batch ≤ 250 ms, no errors",
            during.p99() != null && during.p99().compareTo(TARGET_P99) <= 0),
        new BenchRow(
            "%s: those %s runs' own time (without their pacing; %,d ms of"
                    .formatted(NAME, JOB, wall.toMillis())
                + " wall time)",
            "%,d usage records".formatted(rated),
            own,
            rated * 1e9 / Math.max(1, own.toNanos()),
            "usage records",
            null,
            null,
            copy == null ? null : "COPY of %,d rows shaped like the usage records".formatted(rated),
            copy,
            null,
            null));
  }

  /**
   * Waits (polling, at most a minute) until billing holds the traffic's {@code sessions}
   * sessions, each with a heartbeat from {@code hourEnd} on, so that the small run's one job run
   * has the hour of every one of them to rate.
   */
  private static void awaitBeating(
      DataSource dataSource, String prefix, int sessions, Instant hourEnd)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT count(*) FROM billing_sessions"
                    + " WHERE session_id LIKE ? AND last_heartbeat >= ?")) {
      count.setString(1, prefix + "%");
      count.setTimestamp(2, Timestamp.from(hourEnd));
      while (System.nanoTime() < deadline) {
        try (ResultSet rows = count.executeQuery()) {
          rows.next();
          if (rows.getLong(1) >= sessions) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
  }

  /** Fails unless the job's schedule in effect, as the status route shows it, is every minute. */
  private static void checkEveryMinute(BillingClient billing, String adminToken) throws Exception {
    JsonNode jobs = billing.get("/jobs/status", adminToken).path("jobs");
    for (JsonNode job : jobs) {
      if (job.path("name").asText().equals(JOB) && job.path("cron").asText().equals(EVERY_MINUTE)) {
        return;
      }
    }
    throw new IllegalStateException(JOB + " was not scheduled every minute: " + jobs);
  }

  /**
   * The job's runs that overlapped the window, once the host's run history holds them: it records
   * a run when it ends, so the runs the cron started in the window (one each minute) that are
   * still rating when intake stops, as beside a backlog on Kafka, are waited for, up to {@link
   * #RUN_END_WAIT}, until they are as many as {@link #expectedRuns} wants and none that Quartz
   * fired before the window's end is still executing (its fired triggers): a run begun after one
   * that outlasted its minute, not recorded yet, would leave its batches among those while none
   * ran. Whether one executes is asked before the history is read: a run records itself before
   * its fired trigger goes, so a run that ends between the two is in the history read after.
   *
   * @throws IllegalStateException when a run fired before the window's end still executes then
   */
  private static List<Run> runsDuring(
      DataSource dataSource, Instant from, Instant to, BenchContext.Progress progress)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + RUN_END_WAIT.toNanos();
    boolean said = false;
    while (true) {
      boolean executing = executingSince(dataSource, to);
      List<Run> runs = recordedRunsDuring(dataSource, from, to);
      if (!executing && runs.size() >= expectedRuns(from, to, runs)) {
        return runs;
      }
      if (System.nanoTime() > deadline) {
        if (executing) {
          throw new IllegalStateException(
              "a %s run fired before the window's end was still rating %d minutes after it"
                  .formatted(JOB, RUN_END_WAIT.toMinutes()));
        }
        return runs; // too few: the caller says so
      }
      if (!said) {
        progress.line(NAME + ": waiting for the window's runs of " + JOB + " to end");
        said = true;
      }
      Thread.sleep(500);
    }
  }

  /** Whether a run of the job that Quartz fired before {@code to} is still executing. */
  static boolean executingSince(DataSource dataSource, Instant to) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(EXECUTING)) {
      query.setString(1, JOB);
      query.setLong(2, to.toEpochMilli());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  /**
   * How many runs the window from {@code from} to {@code to} should have, given those {@code
   * recorded}: one for each minute mark in it (the cron's firings) that none of them was still
   * rating at, and one at least (at small size, whose window of 4 s may hold no mark, the run
   * through the job's route). A firing while a run rates starts none until that run ends ({@code
   * DisallowConcurrentExecution}), which may be after the window: an hour's run of more than a
   * minute, as beside a burst's backlog on Kafka (78 s in run AK), covers the next mark.
   */
  static int expectedRuns(Instant from, Instant to, List<Run> recorded) {
    int free = 0;
    for (Instant mark = from.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        mark.isBefore(to);
        mark = mark.plus(Duration.ofMinutes(1))) {
      Instant at = mark;
      if (recorded.stream().noneMatch(run -> run.rating(at))) {
        free++;
      }
    }
    return Math.max(1, free);
  }

  /**
   * The job's runs in the host's run history that started before {@code to} and ended after
   * {@code from}.
   */
  private static List<Run> recordedRunsDuring(DataSource dataSource, Instant from, Instant to)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(RUNS)) {
      query.setString(1, JOB);
      query.setTimestamp(2, Timestamp.from(to));
      query.setTimestamp(3, Timestamp.from(from));
      List<Run> runs = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          Instant started = rows.getTimestamp(1).toInstant();
          runs.add(
              new Run(
                  started,
                  Duration.between(started, rows.getTimestamp(2).toInstant()),
                  rows.getString(3).equals("SUCCEEDED"),
                  rows.getLong(4),
                  rows.getBoolean(5),
                  rows.getString(3).equals("SUCCEEDED")
                      ? RatingCost.own(rows.getString(6))
                      : null));
        }
      }
      return runs;
    }
  }
}
