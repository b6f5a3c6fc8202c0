package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.intake.AdmissionService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The runner's table: measured rows, failed workloads and the choice of {@code --only}. */
class BenchRunnerTest {

  private static final BenchRow ROW =
      new BenchRow(
          "fast: something",
          "10 things",
          Duration.ofMillis(1500),
          2000.0,
          "things",
          Duration.ofNanos(800_000),
          Duration.ofNanos(2_500_000),
          "a raw INSERT",
          Duration.ofMillis(500),
          "≤ 2 s",
          true);

  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void aWorkloadThatThrowsIsAFailedRowWithItsMessageAndTheOthersStillRun() {
    BenchRunner runner =
        runner(
            workload(
                "broken",
                () -> {
                  throw new IllegalStateException("3 of 4 | events journaled");
                }),
            workload("fast", () -> List.of(ROW)));

    BenchRunner.Report report =
        runner.run(BenchRunner.Hosts.one(new NoHost()), BenchSize.SMALL, Set.of());

    assertFalse(report.allRan());
    assertEquals(
        List.of(
            "| workload | size | time | rate | p50 | p99 | baseline | baseline time | ratio"
                + " | target | met |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            "| broken | small | failed: 3 of 4 \\| events journaled |  |  |  |  |  |  |  | failed |",
            "| fast: something | 10 things | 1,500 ms | 2,000 things/s | 800 µs | 2.5 ms"
                + " | a raw INSERT | 500 ms | 3.00 | ≤ 2 s | yes |"),
        report.table().subList(0, 4));
    assertTrue(report.table().get(5).startsWith("Machine: "), report.table().toString());
    assertEquals(report.table(), out.toString(StandardCharsets.UTF_8).lines().toList());
    assertTrue(progress.toString(StandardCharsets.UTF_8).contains("bench: broken failed"));
  }

  @Test
  void onlyRunsTheWorkloadsNamedAndRefusesAnUnknownName() {
    BenchRunner runner =
        runner(
            workload(
                "broken",
                () -> {
                  throw new IllegalStateException("not chosen, never run");
                }),
            workload("fast", () -> List.of(ROW)));

    BenchRunner.Report report =
        runner.run(BenchRunner.Hosts.one(new NoHost()), BenchSize.SMALL, Set.of("fast"));

    assertTrue(report.allRan());
    assertEquals(5, report.table().size(), "header, one row, machine: " + report.table());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> runner.run(BenchRunner.Hosts.one(new NoHost()), BenchSize.SMALL, Set.of("slow")));
    assertEquals("no workload slow; the workloads: broken,fast", unknown.getMessage());
  }

  @Test
  void aWorkloadsRowsAreInTheProgressLinesAsSoonAsItEnds_beforeTheNextOneRuns() {
    String fastRow =
        "  row: | fast: something | 10 things | 1,500 ms | 2,000 things/s | 800 µs | 2.5 ms"
            + " | a raw INSERT | 500 ms | 3.00 | ≤ 2 s | yes |";
    List<String> seenByTheNext = new ArrayList<>();
    BenchRunner runner =
        runner(
            workload("fast", () -> List.of(ROW)),
            workload(
                "next",
                () -> {
                  seenByTheNext.addAll(progress.toString(StandardCharsets.UTF_8).lines().toList());
                  throw new IllegalStateException("stopped");
                }));

    runner.run(BenchRunner.Hosts.one(new NoHost()), BenchSize.SMALL, Set.of());

    assertTrue(seenByTheNext.contains(fastRow), seenByTheNext.toString());
    assertTrue(
        progress
            .toString(StandardCharsets.UTF_8)
            .lines()
            .toList()
            .contains("  row: | next | small | failed: stopped |  |  |  |  |  |  |  | failed |"),
        progress.toString(StandardCharsets.UTF_8));
  }

  @Test
  void eachWorkloadRunsOnTheHostOpenedForIt_releasedOnceItsRowsAreIn_evenWhenItFails() {
    List<String> events = new ArrayList<>();
    BenchRunner runner =
        runner(
            workload(
                "fast",
                context -> {
                  events.add("fast runs on " + context.host().baseUrl());
                  return List.of(ROW);
                }),
            workload(
                "broken",
                context -> {
                  events.add("broken runs on " + context.host().baseUrl());
                  throw new IllegalStateException("3 of 4 events journaled");
                }),
            workload(
                "hostless",
                context -> {
                  events.add("hostless runs");
                  return List.of(ROW);
                }),
            workload("last", context -> List.of(ROW)));
    BenchRunner.Hosts<NoHost> hosts =
        new BenchRunner.Hosts<>() {
          private int port;

          @Override
          public NoHost open(String workload) {
            if (workload.equals("hostless")) {
              throw new IllegalStateException("the embedded PostgreSQL did not start");
            }
            NoHost host = new NoHost(++port);
            events.add("open " + host.baseUrl() + " for " + workload);
            return host;
          }

          @Override
          public void release(NoHost host) {
            events.add("release " + host.baseUrl());
          }
        };

    BenchRunner.Report report = runner.run(hosts, BenchSize.FULL, Set.of());

    assertFalse(report.allRan());
    assertEquals(
        List.of(
            "open http://127.0.0.1:1 for fast",
            "fast runs on http://127.0.0.1:1",
            "release http://127.0.0.1:1",
            "open http://127.0.0.1:2 for broken",
            "broken runs on http://127.0.0.1:2",
            "release http://127.0.0.1:2",
            "open http://127.0.0.1:3 for last",
            "release http://127.0.0.1:3"),
        events);
    assertEquals(
        "| hostless | full | failed: the embedded PostgreSQL did not start |  |  |  |  |  |  |  |"
            + " failed |",
        report.table().get(4));
    assertTrue(report.table().get(5).startsWith("| fast: something |"), report.table().get(5));
  }

  private BenchRunner runner(Workload... workloads) {
    return new BenchRunner(
        List.of(workloads),
        new PrintStream(progress, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  private interface Rows {
    List<BenchRow> run() throws Exception;
  }

  private interface RowsOn {
    List<BenchRow> run(BenchContext context) throws Exception;
  }

  private static Workload workload(String name, Rows rows) {
    return workload(name, context -> rows.run());
  }

  private static Workload workload(String name, RowsOn rows) {
    return new Workload() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<BenchRow> run(BenchContext context) throws Exception {
        return rows.run(context);
      }
    };
  }

  /** The workloads here need no host: a URL to tell one from another. */
  private static final class NoHost implements BenchHost {
    private final int port;

    NoHost() {
      this(1);
    }

    NoHost(int port) {
      this.port = port;
    }

    @Override
    public String baseUrl() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    public String adminToken() {
      return "admin";
    }

    @Override
    public String platformToken() {
      return "platform";
    }

    @Override
    public DataSource dataSource() {
      return null;
    }

    @Override
    public void restart() {}

    @Override
    public BenchKafka kafkaJournal() {
      return null;
    }

    @Override
    public ClassLoader pluginClassLoader(String pluginId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AdmissionService.Answer admit(JsonNode request) {
      throw new UnsupportedOperationException();
    }
  }
}
