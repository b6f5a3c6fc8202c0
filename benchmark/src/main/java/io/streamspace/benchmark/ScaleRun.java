package io.streamspace.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@code bench --scale}: how cost grows with the number of organizations. At each size N, on a
 * host of its own (a fresh embedded PostgreSQL, deleted once the size is measured, so that no
 * size reads another's rows and the disk holds one size at a time), with the same shape per
 * organization at every size:
 *
 * <ul>
 *   <li>invoicing ({@link InvoicingWorkload}): N organizations, each with {@value #USAGE_HOURS}
 *       hourly storage records (the period's last day) and a credit, through generate-invoices
 *       and finalization, against its {@code INSERT … SELECT} of as many lines;
 *   <li>calculate-usage ({@link CalculateUsageWorkload}): an hour of N other organizations' one
 *       session each, with storage (3 records an organization): the job's own time (its first
 *       row), against its {@code COPY};
 *   <li>the admin dashboard ({@link DashboardProbe}) over all of it: the median answer.
 * </ul>
 *
 * <p>A month of hourly records per organization (the benchmark's invoicing row) would be 744
 * million records at a million organizations, past this machine's disk; a day is 24 million.
 * Prints time per organization at each size as a table ({@link ScaleTable}) and draws it
 * ({@link ScalePlot}).
 */
final class ScaleRun {

  /** The hours of usage each invoiced organization has: the last day of its period. */
  static final int USAGE_HOURS = 24;

  private final BenchCommandLine line;
  private final PrintStream progress;
  private final PrintStream out;

  ScaleRun(BenchCommandLine line, PrintStream progress, PrintStream out) {
    this.line = line;
    this.progress = progress;
    this.out = out;
  }

  /**
   * Measures every size in {@code folder} (a folder for each, deleted after it), prints the table
   * and writes the plot; answers whether every workload ran at every size.
   */
  boolean run(Path folder) throws IOException {
    List<ScalePoint> points = new ArrayList<>();
    for (int organizations : line.scaleSizes) {
      points.add(measure(folder.resolve("scale-" + organizations), organizations));
    }
    List<String> table = ScaleTable.lines(points);
    table.forEach(out::println);
    out.println();
    out.println("Machine: " + BenchMachine.describe() + ". Commit: " + BenchMachine.commit() + ".");
    ScalePlot.write(points, line.plot);
    progress.println("bench --scale: the plot is in " + line.plot.toAbsolutePath());
    return points.stream().allMatch(ScalePoint::allRan);
  }

  private ScalePoint measure(Path folder, int organizations) throws IOException {
    progress.println("bench --scale: %,d organizations, on a fresh host".formatted(organizations));
    try (Bench bench = Bench.start(folder, line, progress)) {
      BenchContext context = BenchRunner.context(bench, line.size, progress);
      ScalePoint.Measure invoicing =
          measure(
              "invoicing",
              () ->
                  ScalePoint.Measure.of(
                      new InvoicingWorkload(organizations, USAGE_HOURS).run(context).get(0)));
      ScalePoint.Measure rating =
          measure(
              "calculate-usage",
              () ->
                  ScalePoint.Measure.of(
                      new CalculateUsageWorkload(organizations).run(context).get(0)));
      ScalePoint.Measure dashboard =
          measure("dashboard", () -> ScalePoint.Measure.of(DashboardProbe.median(context)));
      return new ScalePoint(
          organizations, invoicing, rating, dashboard, databaseBytes(bench.dataSource()));
    } catch (RuntimeException e) {
      progress.println(
          "bench --scale: no host for %,d organizations: %s".formatted(organizations, e));
      ScalePoint.Measure failed = ScalePoint.Measure.failed(e);
      return new ScalePoint(organizations, failed, failed, failed, -1);
    } finally {
      Bench.delete(folder);
    }
  }

  /** What the size left on disk, for the largest size that fits; -1 when it cannot be read. */
  private long databaseBytes(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet size = statement.executeQuery("SELECT pg_database_size(current_database())")) {
      size.next();
      return size.getLong(1);
    } catch (SQLException e) {
      progress.println("bench --scale: the database's size could not be read: " + e);
      return -1;
    }
  }

  private interface Step {
    ScalePoint.Measure run() throws Exception;
  }

  /** The step's figure, or a failed one (the next workloads still run). */
  private ScalePoint.Measure measure(String workload, Step step) {
    progress.println("bench --scale: " + workload);
    try {
      return step.run();
    } catch (Exception | AssertionError e) {
      progress.println("bench --scale: " + workload + " failed: " + e);
      return ScalePoint.Measure.failed(e);
    }
  }
}
