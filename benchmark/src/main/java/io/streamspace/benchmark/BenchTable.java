package io.streamspace.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/** The benchmark's one table, in Markdown so that it pastes into BENCHMARKS.md. */
public final class BenchTable {

  public static final List<String> COLUMNS =
      List.of(
          "workload",
          "size",
          "time",
          "rate",
          "p50",
          "p99",
          "baseline",
          "baseline time",
          "ratio",
          "target",
          "met");

  private final List<String> lines = new ArrayList<>();

  public BenchTable() {
    lines.add(cells(COLUMNS));
    lines.add(cells(COLUMNS.stream().map(c -> "---").toList()));
  }

  /** Adds a measured row. */
  public void add(BenchRow row) {
    Double ratio = row.ratio();
    lines.add(
        cells(
            List.of(
                row.workload(),
                row.size(),
                row.time() == null ? "" : time(row.time()),
                row.rate() == null
                    ? ""
                    : String.format(Locale.ROOT, "%,.0f %s/s", row.rate(), row.unit()),
                latency(row.p50()),
                latency(row.p99()),
                text(row.baseline()),
                row.baselineTime() == null ? "" : time(row.baselineTime()),
                ratio == null ? "" : String.format(Locale.ROOT, "%.2f", ratio),
                text(row.target()),
                row.met() == null ? "" : (row.met() ? "yes" : "no"))));
  }

  /** Adds the row of a workload that failed, with why. */
  public void addFailed(String workload, String size, Throwable failure) {
    if (failure instanceof ExecutionException && failure.getCause() != null) {
      failure = failure.getCause(); // a client thread's
    }
    String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    List<String> row = new ArrayList<>(List.of(workload, size, "failed: " + why));
    while (row.size() < COLUMNS.size() - 1) {
      row.add("");
    }
    row.add("failed");
    lines.add(cells(row));
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Milliseconds below 10 s, else seconds with one decimal. */
  static String time(Duration duration) {
    long millis = duration.toMillis();
    return millis < 10_000
        ? String.format(Locale.ROOT, "%,d ms", millis)
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** Microseconds below 1 ms, else milliseconds with one decimal; "" for none. */
  static String latency(Duration duration) {
    if (duration == null) {
      return "";
    }
    long micros = duration.toNanos() / 1000;
    return micros < 1000
        ? micros + " µs"
        : String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
  }

  private static String text(String text) {
    return text == null ? "" : text;
  }

  private static String cells(List<String> cells) {
    StringBuilder line = new StringBuilder("|");
    for (String cell : cells) {
      line.append(' ').append(cell.replace("|", "\\|").replace('\n', ' ')).append(" |");
    }
    return line.toString();
  }
}
