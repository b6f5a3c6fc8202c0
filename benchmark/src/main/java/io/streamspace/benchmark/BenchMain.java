package io.streamspace.benchmark;

import java.io.IOException;

/**
 * Entry point of the benchmark ({@code java -jar benchmark/target/benchmark.jar}): progress on
 * stderr (with the log's warnings, {@link BenchLogging}), the table on stdout, the log in the run's
 * temporary folder. Exits with 0 when
 * every workload ran, 1 when one failed or the benchmark could not run, 2 on a bad command line.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) {
    BenchCommandLine line;
    try {
      line = BenchCommandLine.parse(args);
    } catch (BenchCommandLine.UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(BenchCommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (line.help) {
      System.out.println(BenchCommandLine.USAGE);
      return;
    }
    System.exit(run(line));
  }

  /** Runs the benchmark; returns the exit code. */
  private static int run(BenchCommandLine line) {
    try {
      return Bench.run(line, System.err, System.out, BenchLogging::toFile);
    } catch (IOException | RuntimeException e) {
      System.err.println("error: the benchmark could not run: " + e);
      return 1;
    }
  }
}
