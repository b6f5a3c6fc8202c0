package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
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
import org.postgresql.PGConnection;

/**
 * calculate-usage rating one hour of N active sessions with storage (1 core, 2 GB, 10 GB stored
 * on each session's own account: 3 usage records a session), run through its real route ({@code
 * POST /api/plugins/billing/jobs/calculate-usage}) on the system clock. The sessions are opened
 * through intake at the start of the last whole hour the run may rate (at most 1 h 10 min ago,
 * well within the max event age) and heartbeat just before it, so the measured run rates exactly
 * that hour of every session, which is then checked in the usage records (whatever earlier
 * workloads left due is rated by an unmeasured run first). The baseline is a
 * {@code COPY} of as many rows into a table shaped like the usage records (its key included).
 */
final class CalculateUsageWorkload implements Workload {

  private static final Duration TARGET = Duration.ofSeconds(2);
  private static final double TARGET_RATIO = 3;
  private static final String COPY_TABLE =
      """
      DROP TABLE IF EXISTS bench_usage_copy;
      CREATE TABLE bench_usage_copy (LIKE billing_usage_records INCLUDING ALL)
      """;
  private static final String RATED =
      """
      SELECT count(*) FROM billing_usage_records
      WHERE user_id LIKE ? AND slice_start = ? AND slice_end = ? AND resource_type = ?
      """;

  /** Sessions opened per round of intake: a million sessions' events are never all in memory. */
  private static final int OPEN_CHUNK = 100_000;

  private final Integer sessions;

  /** The benchmark's row: 1,000 or 100,000 sessions by size. */
  CalculateUsageWorkload() {
    this(null);
  }

  /** @param sessions how many sessions (each on an account of its own); null: by size */
  CalculateUsageWorkload(Integer sessions) {
    this.sessions = sessions;
  }

  @Override
  public String name() {
    return "calculate-usage";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int sessions = this.sessions != null ? this.sessions : context.size().pick(1_000, 100_000);
    BillingClient billing = new BillingClient(context);
    String prefix = "cu" + System.currentTimeMillis() + "-";
    Instant now = Instant.now();
    long timeoutMinutes = billing.config().path("sessionHeartbeatTimeoutMinutes").asLong(10);
    Instant hourEnd = now.minus(Duration.ofMinutes(timeoutMinutes)).truncatedTo(ChronoUnit.HOURS);
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
      context.progress().line("calculate-usage: rating the hour from " + hourStart);
      long start = System.nanoTime();
      billing.runJob("calculate-usage");
      Duration job = Duration.ofNanos(System.nanoTime() - start);
      long records = checkRated(context.dataSource(), prefix, sessions, hourStart, hourEnd);

      context.progress().line("calculate-usage: baseline COPY of %,d rows".formatted(records));
      Duration copy = copy(context.dataSource(), records, hourStart, hourEnd);
      double ratio = (double) job.toNanos() / Math.max(1, copy.toNanos());
      return List.of(
          new BenchRow(
              "calculate-usage: one hour of every session (POST .../jobs/calculate-usage)",
              "%,d sessions with storage (%,d usage records)".formatted(sessions, records),
              job,
              records * 1e9 / Math.max(1, job.toNanos()),
              "usage records",
              null,
              null,
              "COPY of %,d rows shaped like the usage records".formatted(records),
              copy,
              "≤ 2 s and ≤ 3 × the COPY",
              job.compareTo(TARGET) <= 0 && ratio <= TARGET_RATIO));
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

  /** Fails unless every session has its cpu, memory and storage record for the hour. */
  private static long checkRated(
      DataSource dataSource, String prefix, int sessions, Instant from, Instant to)
      throws SQLException {
    long records = 0;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count = connection.prepareStatement(RATED)) {
      for (String resource : List.of("cpu", "memory", "storage")) {
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
          records += rows.getLong(1);
        }
      }
    }
    return records;
  }

  /** COPY of {@code rows} rows like the job's into a fresh table shaped like the records. */
  private static Duration copy(DataSource dataSource, long rows, Instant from, Instant to)
      throws SQLException, IOException {
    String[][] resources = {
      {"cpu", "3600", "core-hours", "0.05"},
      {"memory", "7200", "gb-hours", "0.01"},
      {"storage", "36000", "gb-months", "0.10"}
    };
    StringBuilder text = new StringBuilder();
    for (long i = 0; i < rows; i++) {
      String[] r = resources[(int) (i % 3)];
      boolean storage = i % 3 == 2;
      text.append("bu")
          .append(i / 3)
          .append('\t')
          .append(storage ? "" : "bs" + i / 3)
          .append('\t')
          .append(r[0])
          .append('\t')
          .append(from)
          .append('\t')
          .append(to)
          .append('\t')
          .append(r[1])
          .append('\t')
          .append(r[2])
          .append('\t')
          .append(r[3])
          .append("\tUSD\t")
          .append(to)
          .append("\t1\n"); // the rating run, as the job stamps its records
    }
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(COPY_TABLE);
      }
      long start = System.nanoTime();
      long copied =
          connection
              .unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY bench_usage_copy (user_id, session_id, resource_type, slice_start,"
                      + " slice_end, unit_seconds, unit, unit_price, currency, created_at,"
                      + " rating_run)"
                      + " FROM STDIN",
                  new StringReader(text.toString()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (copied != rows) {
        throw new IllegalStateException("COPY wrote %d of %d rows".formatted(copied, rows));
      }
      return took;
    }
  }
}
