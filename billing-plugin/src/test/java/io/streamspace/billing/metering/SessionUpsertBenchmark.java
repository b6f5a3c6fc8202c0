package io.streamspace.billing.metering;

import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the indexes on {@code billing_sessions} cost the metering writer's batch upsert ({@link
 * SessionRepository#upsertSessions}), the statement intake's session.created and heartbeats go
 * through: the same batches of 1,000 sessions, created and then heartbeating round after round as
 * the benchmark's intake sends them, timed with each set of indexes the table has had. The sets
 * run interleaved, round by round, so that a shared machine's load falls on all of them alike;
 * the figures that mean something are each set's time over the first one's. Not a test: no
 * timing is asserted anywhere.
 *
 * <pre>
 * mvn -q -o -pl billing-plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.streamspace.billing.metering.SessionUpsertBenchmark \
 *     [-Dexec.args="20000 5 6"]
 * </pre>
 *
 * Arguments: sessions (default 20,000), heartbeat rounds per trial (default 5), trials per set
 * (default 6). Each trial starts from an empty table.
 */
public final class SessionUpsertBenchmark {

  private static final int BATCH = 1_000;

  // The indexes each set has on top of the primary key and those of V1 and V25.
  private static final String V33 =
      """
      CREATE INDEX billing_sessions_settled_end ON billing_sessions (ended_at) WHERE settled;
      CREATE INDEX billing_sessions_unsettled_org ON billing_sessions (org_id) WHERE NOT settled;
      """;
  private static final Map<String, String> SETS = new LinkedHashMap<>();

  static {
    SETS.put("before V33 (run A)", "");
    SETS.put(
        "V33 + V34 (run D)",
        V33
            + "CREATE INDEX billing_sessions_open ON billing_sessions (org_id, last_heartbeat)"
            + " WHERE ended_at IS NULL;");
    SETS.put(
        "V33 + V38",
        V33
            + "CREATE INDEX billing_sessions_open ON billing_sessions (org_id) WHERE ended_at IS NULL;");
  }

  private SessionUpsertBenchmark() {}

  public static void main(String[] args) throws SQLException {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int trials = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    Map<String, List<long[]>> times = new LinkedHashMap<>();
    for (int trial = 1; trial <= trials; trial++) {
      for (Map.Entry<String, String> set : SETS.entrySet()) {
        long[] t = trial(dataSource, set.getValue(), sessions, rounds);
        times.computeIfAbsent(set.getKey(), k -> new ArrayList<>()).add(t);
        System.out.printf(
            "trial %d %-20s created %6d ms (%d bytes of WAL each), heartbeats %6d ms"
                + " (%d of %d updates HOT, %d bytes of WAL per heartbeat)%n",
            trial,
            set.getKey(),
            t[0] / 1_000_000,
            t[5],
            t[1] / 1_000_000,
            t[3],
            t[2],
            t[4] / Math.max(1, t[2]));
      }
    }
    List<long[]> first = times.values().iterator().next();
    for (Map.Entry<String, List<long[]>> set : times.entrySet()) {
      double[] created = new double[trials];
      double[] beats = new double[trials];
      for (int i = 0; i < trials; i++) {
        created[i] = (double) set.getValue().get(i)[0] / first.get(i)[0];
        beats[i] = (double) set.getValue().get(i)[1] / first.get(i)[1];
      }
      Arrays.sort(created);
      Arrays.sort(beats);
      System.out.printf(
          "%-20s over the first, per trial: created median %.2f (%.2f-%.2f),"
              + " heartbeats median %.2f (%.2f-%.2f)%n",
          set.getKey(),
          created[trials / 2],
          created[0],
          created[trials - 1],
          beats[trials / 2],
          beats[0],
          beats[trials - 1]);
    }
  }

  /**
   * Nanoseconds to create the sessions, and to send {@code rounds} heartbeats of each; the
   * heartbeats' updates, how many were HOT and the WAL they wrote; the WAL per session created.
   */
  private static long[] trial(DataSource dataSource, String indexes, int sessions, int rounds)
      throws SQLException {
    SessionRepository repository = new SessionRepository();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE billing_sessions CASCADE");
      s.execute(
          "DROP INDEX IF EXISTS billing_sessions_settled_end, billing_sessions_unsettled_org,"
              + " billing_sessions_open");
      if (!indexes.isEmpty()) {
        s.execute(indexes);
      }
      s.execute("CHECKPOINT");
    }
    Instant start = Instant.parse("2026-03-02T10:00:00Z");
    long walBefore = updates(dataSource)[2];
    long created = upsertAll(dataSource, repository, sessions, start, true);
    long[] updatesBefore = updates(dataSource);
    long beats = 0;
    for (int round = 1; round <= rounds; round++) {
      beats += upsertAll(dataSource, repository, sessions, start.plusSeconds(30L * round), false);
    }
    long[] updatesAfter = updates(dataSource);
    return new long[] {
      created,
      beats,
      updatesAfter[0] - updatesBefore[0],
      updatesAfter[1] - updatesBefore[1],
      updatesAfter[2] - updatesBefore[2],
      (updatesBefore[2] - walBefore) / sessions
    };
  }

  /**
   * The table's updates so far and how many of them were HOT (no index written), as the
   * statistics have them once this connection's and the writer's counts are flushed, and the
   * bytes of WAL written so far (the server's, which only this program uses).
   */
  private static long[] updates(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT n_tup_upd, n_tup_hot_upd, pg_current_wal_lsn() - '0/0'"
                  + " FROM pg_stat_user_tables WHERE relname = 'billing_sessions'")) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    }
  }

  /** Every session once, in batches of 1,000 in key order, each batch its own transaction. */
  private static long upsertAll(
      DataSource dataSource,
      SessionRepository repository,
      int sessions,
      Instant at,
      boolean created)
      throws SQLException {
    long took = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (int from = 0; from < sessions; from += BATCH) {
        List<SessionRow> batch = new ArrayList<>(BATCH);
        for (int i = from; i < Math.min(sessions, from + BATCH); i++) {
          String id = "%08d".formatted(i);
          batch.add(
              new SessionRow("s" + id, "u" + id, at, at, null, "u" + id, created, null, null));
        }
        long begin = System.nanoTime();
        repository.upsertSessions(c, batch);
        c.commit();
        took += System.nanoTime() - begin;
      }
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_stat_force_next_flush()"); // for updates(), read next
      }
      c.commit();
    }
    return took;
  }
}
