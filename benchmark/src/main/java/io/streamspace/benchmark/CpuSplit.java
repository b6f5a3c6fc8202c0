package io.streamspace.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Where the CPU time of a stretch of a run went: the threads of a Kafka broker running in this JVM
 * (by their names, as Kafka 4.3 names them), the rest of this JVM (the host, its plugin, the
 * benchmark's clients, the Kafka clients), and the PostgreSQL server (its postmaster and backends,
 * from {@code /proc}: known on Linux, for a server on this machine). On a machine shared by
 * everything, it tells what each part would ask of a machine of its own: the figure behind what a
 * measured rate predicts for a broker elsewhere.
 */
final class CpuSplit {

  /**
   * The in-JVM broker's threads; the clients' own ({@code kafka-producer-network-thread}...) are
   * not among them.
   */
  private static final Pattern BROKER_THREAD =
      Pattern.compile(
          "^(data-plane-kafka-|kafka-\\d+-|kafka-scheduler-|kafka-log-cleaner|group-coordinator-"
              + "|share-|ExpirationReaper-|quorum-controller-|broker-\\d+-|controller-\\d+-"
              + "|transaction-log-manager|executor-|raft-|persister-|network-partition-"
              + "|client-metrics-reaper|metrics-meter-tick-thread).*");

  /** Linux's clock ticks a second ({@code getconf CLK_TCK}), which {@code /proc} counts in. */
  private static final double TICKS = 100;

  /** The CPU seconds of each part at one moment; see {@link #since}. */
  record Sample(long nanos, long processCpu, long brokerCpu, long postgresTicks) {}

  /**
   * What a stretch used.
   *
   * @param seconds how long it lasted
   * @param broker the in-JVM broker's CPU seconds
   * @param host the rest of this JVM's
   * @param postgres PostgreSQL's, or a negative number when unknown
   */
  record Used(double seconds, double broker, double host, double postgres) {

    /** One line: each part's CPU seconds and its milliseconds per 1,000 {@code units}. */
    String describe(long units, String unit) {
      double per = units / 1000.0;
      return String.format(
          Locale.ROOT,
          "CPU over %.1f s on %d cores: broker %.1f s (%.1f ms per 1,000 %s), host JVM %.1f s"
              + " (%.1f ms), PostgreSQL %s",
          seconds,
          Runtime.getRuntime().availableProcessors(),
          broker,
          broker * 1000 / per,
          unit,
          host,
          host * 1000 / per,
          postgres < 0
              ? "unknown"
              : String.format(Locale.ROOT, "%.1f s (%.1f ms)", postgres, postgres * 1000 / per));
    }
  }

  private CpuSplit() {}

  /**
   * The process id of the PostgreSQL server behind {@code dataSource} (its postmaster, the parent
   * of a backend), or -1 when it is not on this machine or {@code /proc} is not there.
   */
  static long postmaster(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      long[] stat = stat(Path.of("/proc", Long.toString(rows.getLong(1))));
      return stat == null ? -1 : stat[0];
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Now, with {@code postmaster}'s server's CPU (-1: unknown). */
  static Sample sample(long postmaster) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long broker = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && BROKER_THREAD.matcher(info.getThreadName()).matches()) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        broker += Math.max(0, cpu);
      }
    }
    long process =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime()
            : -1;
    return new Sample(System.nanoTime(), process, broker, postgresTicks(postmaster));
  }

  static Used since(Sample start, long postmaster) {
    Sample end = sample(postmaster);
    double broker = (end.brokerCpu - start.brokerCpu) / 1e9;
    double process = (end.processCpu - start.processCpu) / 1e9;
    double postgres =
        start.postgresTicks < 0 || end.postgresTicks < 0
            ? -1
            : (end.postgresTicks - start.postgresTicks) / TICKS;
    return new Used((end.nanos - start.nanos) / 1e9, broker, process - broker, postgres);
  }

  /**
   * The CPU ticks of the server and its processes (the backends, those that ended and were waited
   * for included); -1 when unknown.
   */
  private static long postgresTicks(long postmaster) {
    Path proc = Path.of("/proc");
    if (postmaster < 0 || !Files.isDirectory(proc)) {
      return -1;
    }
    Map<Long, long[]> stats = new HashMap<>(); // pid -> {ppid, ticks}
    try (Stream<Path> entries = Files.list(proc)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          long[] stat = stat(entry);
          if (stat != null) {
            stats.put(Long.parseLong(name), stat);
          }
        }
      }
    } catch (IOException e) {
      return -1;
    }
    long[] server = stats.get(postmaster);
    if (server == null) {
      return -1;
    }
    long ticks = server[1];
    for (long[] process : stats.values()) {
      if (process[0] == postmaster) {
        ticks += process[1];
      }
    }
    return ticks;
  }

  /**
   * A process's parent and its CPU ticks, its waited-for children's included ({@code
   * /proc/<pid>/stat}); null when it ended meanwhile.
   */
  private static long[] stat(Path process) {
    try {
      String stat = Files.readString(process.resolve("stat"));
      // the fields after the command's closing parenthesis, from field 3 (state) on
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks =
          Long.parseLong(fields[11])
              + Long.parseLong(fields[12])
              + Long.parseLong(fields[13])
              + Long.parseLong(fields[14]);
      return new long[] {Long.parseLong(fields[1]), ticks};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
