package io.streamspace.benchmark;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code bench --scale}'s table, in Markdown: a row per size with the database's size once
 * measured, each workload's time, its time per organization and its ratio to its raw baseline;
 * then a line comparing the time per organization at the largest size with the smallest's (at
 * most 1: linear or better).
 */
final class ScaleTable {

  static final List<String> COLUMNS =
      List.of(
          "organizations",
          "database",
          "invoicing",
          "per organization",
          "÷ INSERT … SELECT",
          "calculate-usage",
          "per organization",
          "÷ COPY",
          "dashboard (median)",
          "per organization");

  private ScaleTable() {}

  static List<String> lines(List<ScalePoint> points) {
    List<String> lines = new ArrayList<>();
    lines.add(row(COLUMNS));
    lines.add(row(COLUMNS.stream().map(c -> "---").toList()));
    for (ScalePoint point : points) {
      List<String> cells = new ArrayList<>();
      cells.add(String.format(Locale.ROOT, "%,d", point.organizations()));
      cells.add(
          point.databaseBytes() < 0
              ? ""
              : String.format(Locale.ROOT, "%,d MB", point.databaseBytes() / (1024 * 1024)));
      for (ScalePoint.Measure measure :
          List.of(point.invoicing(), point.calculateUsage(), point.dashboard())) {
        if (!measure.ran()) {
          cells.add("failed: " + measure.failure());
          cells.add("");
        } else {
          cells.add(BenchTable.time(measure.time()));
          cells.add(perOrganization(measure.microsPer(point.organizations())));
        }
        if (measure != point.dashboard()) {
          cells.add(
              measure.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", measure.ratio()));
        }
      }
      lines.add(row(cells));
    }
    if (points.size() > 1) {
      ScalePoint first = points.get(0);
      ScalePoint last = points.get(points.size() - 1);
      lines.add("");
      lines.add(
          String.format(
              Locale.ROOT,
              "Time per organization at %,d ÷ at %,d organizations (≤ 1: linear or better):"
                  + " invoicing %s, calculate-usage %s, dashboard %s.",
              last.organizations(),
              first.organizations(),
              growth(first, last, ScalePoint::invoicing),
              growth(first, last, ScalePoint::calculateUsage),
              growth(first, last, ScalePoint::dashboard)));
    }
    return lines;
  }

  private static String growth(
      ScalePoint first, ScalePoint last, Function<ScalePoint, ScalePoint.Measure> workload) {
    double from = workload.apply(first).microsPer(first.organizations());
    double to = workload.apply(last).microsPer(last.organizations());
    return Double.isNaN(from) || Double.isNaN(to) ? "not measured" : format(to / from);
  }

  private static String format(double ratio) {
    return String.format(Locale.ROOT, "%.2f", ratio);
  }

  /** Microseconds with three significant figures, e.g. 1,230 µs, 12.3 µs, 0.0456 µs. */
  static String perOrganization(double micros) {
    if (micros >= 100) {
      return String.format(Locale.ROOT, "%,.0f µs", micros);
    }
    return new BigDecimal(micros).round(new MathContext(3)).stripTrailingZeros().toPlainString()
        + " µs";
  }

  private static String row(List<String> cells) {
    return "| "
        + String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList())
        + " |";
  }
}
