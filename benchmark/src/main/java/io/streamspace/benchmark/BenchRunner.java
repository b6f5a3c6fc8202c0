package io.streamspace.benchmark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the benchmark's workloads one after the other, each on the host {@link Hosts} gives it, with
 * a progress line for each phase, and prints one Markdown table with the machine and the commit. A
 * workload that throws, or whose host does not start, is a failed row; the others still run. Each
 * workload's rows also go to the progress lines as it ends, so that a run stopped midway (a full
 * run takes over an hour) keeps the figures of the workloads it finished.
 */
public final class BenchRunner {

  /**
   * Every workload, in the order they run. {@code start} is last: on a host shared by every
   * workload it replaces that host (the same URL and tokens, a new database pool). Each runs on the
   * journal the host runs; intake's baseline is that journal's raw write ({@link IntakeWorkload}).
   */
  public static List<Workload> workloads() {
    return List.of(
        new IntakeWorkload(),
        new IntakeWithRatingWorkload(),
        new AdmissionWorkload(),
        new CalculateUsageWorkload(),
        new InvoicingWorkload(),
        InvoicingWorkload.whatIf(),
        new UsageReadsWorkload(),
        new AdminReadsWorkload(),
        new AnalyticsReadsWorkload(),
        new ForecastBacktestWorkload(),
        new HeapWorkload(),
        new StartWorkload());
  }

  /**
   * Where the workloads run: one host for all of them ({@link #one}), or a host of its own for
   * each ({@code --size full}, {@link Bench}).
   *
   * @param <H> the hosts given
   */
  public interface Hosts<H extends BenchHost> {

    /**
     * The host {@code workload} runs on.
     *
     * @throws RuntimeException when it does not start: the workload's row says so
     */
    H open(String workload);

    /** Called once {@code workload}'s rows are in, or it failed. */
    void release(H host);

    /** {@code host} for every workload, left running after each. */
    static <H extends BenchHost> Hosts<H> one(H host) {
      return new Hosts<>() {
        @Override
        public H open(String workload) {
          return host;
        }

        @Override
        public void release(H released) {}
      };
    }
  }

  /** What a workload is given on {@code host}, its progress lines indented on {@code progress}. */
  static BenchContext context(BenchHost host, BenchSize size, PrintStream progress) {
    return new BenchContext(
        host.baseUrl(),
        host.adminToken(),
        host.platformToken(),
        host.dataSource(),
        size,
        line -> progress.println("  " + line),
        host);
  }

  /** What a run printed and whether every workload ran without failing. */
  public record Report(List<String> table, boolean allRan) {}

  private final List<Workload> workloads;
  private final PrintStream progress;
  private final PrintStream out;

  /**
   * @param progress where the progress lines go (the console's stderr)
   * @param out where the table goes (stdout)
   */
  public BenchRunner(List<Workload> workloads, PrintStream progress, PrintStream out) {
    this.workloads = List.copyOf(workloads);
    this.progress = progress;
    this.out = out;
  }

  /**
   * Runs the workloads named in {@code only} (all when empty), each on the host {@code hosts}
   * opens for it, and prints the table.
   *
   * @throws IllegalArgumentException when {@code only} names no workload
   */
  public <H extends BenchHost> Report run(Hosts<H> hosts, BenchSize size, Set<String> only) {
    List<Workload> chosen = new ArrayList<>();
    for (Workload workload : workloads) {
      if (only.isEmpty() || only.contains(workload.name())) {
        chosen.add(workload);
      }
    }
    List<String> names = workloads.stream().map(Workload::name).toList();
    for (String name : only) {
      if (!names.contains(name)) {
        throw new IllegalArgumentException(
            "no workload " + name + "; the workloads: " + String.join(",", names));
      }
    }
    BenchTable table = new BenchTable();
    boolean allRan = true;
    for (Workload workload : chosen) {
      progress.println("bench: " + workload.name() + " (" + size.label() + ")");
      int before = table.lines().size();
      try {
        H host = hosts.open(workload.name());
        try {
          workload.run(context(host, size, progress)).forEach(table::add);
        } finally {
          hosts.release(host);
        }
      } catch (Exception | AssertionError e) {
        progress.println("bench: " + workload.name() + " failed: " + e);
        table.addFailed(workload.name(), size.label(), e);
        allRan = false;
      }
      List<String> rows = table.lines();
      rows.subList(before, rows.size()).forEach(row -> progress.println("  row: " + row));
    }
    List<String> lines = new ArrayList<>(table.lines());
    lines.add("");
    lines.add("Machine: " + BenchMachine.describe() + ". Commit: " + BenchMachine.commit() + ".");
    lines.forEach(out::println);
    return new Report(lines, allRan);
  }
}
