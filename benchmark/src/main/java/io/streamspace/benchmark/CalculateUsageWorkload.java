package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * calculate-usage rating one hour of N active sessions with storage (1 core, 2 GB, 10 GB stored
 * on each session's own account: 3 usage records a session), run through its real route ({@code
 * POST /api/plugins/billing/jobs/calculate-usage}) on the system clock. The sessions are opened
 * through intake at the start of the last whole hour the run may rate (at most 1 h 10 min ago,
 * well within the max event age) and heartbeat just before it, so the measured run rates exactly
 * that hour of every session, which is then checked in the usage records (whatever earlier
 * workloads left due is rated by an unmeasured run first). The baseline is a
 * {@code COPY} of as many rows into a table shaped like the usage records (its key included),
 * timed before the job, once the tables intake wrote are vacuumed and analyzed, so that the COPY
 * meets neither autovacuum's work on them nor the roll-up of the job's records (the job itself
 * may still meet the every-minute roll-up and the other scheduled jobs, as on a running platform).
 * Two rows: the job's own time (what it would take without the pacing that gives intake the cores:
 * the pauses between its rounds of chunks and its lanes' waits for each round's last chunk; {@link
 * RatingCost}) against the COPY, the target; and the route's wall time, pacing and the
 * spending limits' check included.
 */
final class CalculateUsageWorkload implements Workload {

  private static final Duration TARGET = Duration.ofSeconds(2);
  private static final double TARGET_RATIO = 2;
  private static final String RATED =
      """
      SELECT count(*) FROM billing_usage_records
      WHERE user_id LIKE ? AND slice_start = ? AND slice_end = ? AND resource_type = ?
      """;

  /** Sessions opened per round of intake: a million sessions' events are never all in memory. */
  private static final int OPEN_CHUNK = 100_000;

  /** A session's records for the hour: its cpu, its memory and its account's storage. */
  private static final List<String> RESOURCES = List.of("cpu", "memory", "storage");

  private final Integer sessions;

  /** The benchmark's row: 1,000 or 100,000 sessions by size. */
  CalculateUsageWorkload() {
    this(null);
  }

  /** @param sessions how many sessions (each on an account of its own); null: by size */
  CalculateUsageWorkload(Integer sessions) {
    this.sessions = sessions;
  }

  /**
   * Longer than the workload takes from its start to its job (opening {@code sessions} first):
   * 3 minutes from 100,000 sessions on, 20 seconds and 1.6 ms a session below that, so that a
   * smoke run (1,000 sessions; the scale test's tens) begun in the three minutes before ten past
   * the hour does not wait for the cut.
   */
  private static Duration lead(int sessions) {
    return Duration.ofSeconds(20).plusMillis(Math.min(160_000, sessions * 16L / 10));
  }

  /**
   * {@code now}, or the moment just past the next cut when that comes within the {@link
   * #lead(int)}: the job rates up to the last whole hour before its now less the heartbeat
   * timeout, so a cut passed between the workload's start and its job (at ten past, with the
   * default timeout) would have it rate two hours of the sessions, measured against one hour's
   * COPY.
   */
  private static Instant clearOfTheNextCut(
      Instant now, Duration timeout, int sessions, BenchContext context)
      throws InterruptedException {
    Instant nextCut = now.minus(timeout).truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    Instant moves = nextCut.plus(timeout).plusSeconds(1);
    if (now.plus(lead(sessions)).isBefore(moves)) {
      return now;
    }
    context
        .progress()
        .line("calculate-usage: waiting until " + moves + ", past the next hour's cut");
    Thread.sleep(Duration.between(now, moves).toMillis());
    return Instant.now();
  }

  /** Longer than the plugin's "events arriving" lasts after its last batch (250 ms). */
  private static final Duration QUIET = Duration.ofSeconds(1);

  @Override
  public String name() {
    return "calculate-usage";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int sessions = this.sessions != null ? this.sessions : context.size().pick(1_000, 100_000);
    BillingClient billing = new BillingClient(context);
    String prefix = "cu" + System.currentTimeMillis() + "-";
    Duration timeout =
        Duration.ofMinutes(billing.config().path("sessionHeartbeatTimeoutMinutes").asLong(10));
    Instant now = clearOfTheNextCut(Instant.now(), timeout, sessions, context);
    Instant hourEnd = now.minus(timeout).truncatedTo(ChronoUnit.HOURS);
    Instant hourStart = hourEnd.minus(Duration.ofHours(1));

    // the schedule's own hourly run could rate the hour first
    try (ConfigPatch paused =
        ConfigPatch.apply(billing, Map.of("usageCalculationInterval", ConfigPatch.YEARLY))) {
      // what earlier workloads left due (their accounts' storage, their sessions' last slices)
      // is rated first, so the measured run rates this workload's hour alone
      context.progress().line("calculate-usage: rating what earlier workloads left (not measured)");
      billing.runJob("calculate-usage");
      context
          .progress()
          .line("calculate-usage: opening %,d sessions through intake".formatted(sessions));
      for (int from = 0; from < sessions; from += OPEN_CHUNK) {
        int to = Math.min(sessions, from + OPEN_CHUNK);
        billing.postEvents(openSessions(prefix, from, to, hourStart, now.minusSeconds(1)));
      }
      billing.awaitCaughtUp();
      context.progress().line("calculate-usage: VACUUM ANALYZE, as autovacuum leaves the tables");
      vacuumWhatIntakeWrote(context.dataSource());
      // before the job: after it, the every-minute roll-up of its records could run beside it
      long records = (long) RESOURCES.size() * sessions;
      context.progress().line("calculate-usage: baseline COPY of %,d rows".formatted(records));
      Duration copy = RatingCost.copy(context.dataSource(), records, hourStart, hourEnd);
      // the job alone: a run that begins while billing still counts events as arriving (a
      // quarter second after its writer's last batch) rates as beside intake, in small chunks
      // one at a time (RatingPace), which intake-with-rating measures
      Thread.sleep(QUIET.toMillis());
      context.progress().line("calculate-usage: rating the hour from " + hourStart);
      long start = System.nanoTime();
      JsonNode run = billing.runJob("calculate-usage");
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      String message = run.path("message").asText();
      context.progress().line("calculate-usage: " + message);
      Duration own = RatingCost.own(message);
      checkRated(context.dataSource(), prefix, sessions, hourStart, hourEnd);
      if (RatingCost.inserted(message) != records) {
        throw new IllegalStateException(
            "calculate-usage rated more than the hour's %,d records: %s"
                .formatted(records, message));
      }

      double ratio = (double) own.toNanos() / Math.max(1, copy.toNanos());
      String size = "%,d sessions with storage (%,d usage records)".formatted(sessions, records);
      String baseline = "COPY of %,d rows shaped like the usage records".formatted(records);
      return List.of(
          new BenchRow(
              "calculate-usage: one hour of every session, the job's own time (POST"
                  + " .../jobs/calculate-usage; without its pacing)",
              size,
              own,
              records * 1e9 / Math.max(1, own.toNanos()),
              "usage records",
              null,
              null,
              baseline,
              copy,
              "≤ 2 s or ≤ 2 × the COPY",
              own.compareTo(TARGET) <= 0 || ratio <= TARGET_RATIO),
          new BenchRow(
              "calculate-usage: the same run's wall time (its pauses for other work and the"
                  + " spending limits' check included)",
              size,
              wall,
              records * 1e9 / Math.max(1, wall.toNanos()),
              "usage records",
              null,
              null,
              baseline,
              copy,
              null,
              null));
    }
  }

  /**
   * Sessions {@code first} to {@code last} (exclusive), each on its own account, opened at {@code
   * from} with storage, beating at the end.
   */
  private static List<ObjectNode> openSessions(
      String prefix, int first, int last, Instant from, Instant heartbeat) {
    List<ObjectNode> events = new ArrayList<>(3 * (last - first));
    for (int i = first; i < last; i++) {
      events.add(
          BenchEvents.userCreated(prefix + "uc" + i, prefix + "u" + i, from.minusSeconds(60)));
    }
    for (int i = first; i < last; i++) {
      String user = prefix + "u" + i;
      events.add(
          BenchEvents.sessionCreated(
              prefix + "sc" + i, prefix + "s" + i, user, from, "1", "2", "10"));
    }
    for (int i = first; i < last; i++) {
      events.add(
          BenchEvents.heartbeat(prefix + "hb" + i, prefix + "s" + i, prefix + "u" + i, heartbeat));
    }
    return events;
  }

  /**
   * What intake wrote opening the sessions, vacuumed and analyzed now, as autovacuum does within a
   * minute of such writes: otherwise its worker, woken by the events journaled (300,000 at full
   * size), could run beside the job or the COPY (docs/benchmark-history.md, run AO).
   */
  private static void vacuumWhatIntakeWrote(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "VACUUM ANALYZE host_journal, billing_accounts, billing_subscriptions,"
              + " billing_sessions, billing_session_sizes, billing_storage_levels");
    }
  }

  /** Fails unless every session has its cpu, memory and storage record for the hour. */
  private static void checkRated(
      DataSource dataSource, String prefix, int sessions, Instant from, Instant to)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(RATED)) {
      for (String resource : RESOURCES) {
        count.setString(1, prefix + "%");
        count.setTimestamp(2, Timestamp.from(from));
        count.setTimestamp(3, Timestamp.from(to));
        count.setString(4, resource);
        try (ResultSet rows = count.executeQuery()) {
          rows.next();
          if (rows.getLong(1) != sessions) {
            throw new IllegalStateException(
                "calculate-usage rated %d of %d sessions' %s for [%s, %s)"
                    .formatted(rows.getLong(1), sessions, resource, from, to));
          }
        }
      }
    }
  }
}
