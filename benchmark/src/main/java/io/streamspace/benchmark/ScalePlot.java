package io.streamspace.benchmark;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code bench --scale}'s plot, drawn by XChart as a PNG: time per organization (µs) against the
 * number of organizations, both axes logarithmic, a line per workload through the sizes where it
 * ran. A flat or falling line is linear or better.
 */
final class ScalePlot {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;

  private ScalePlot() {}

  /** Writes the plot to {@code file} (a PNG; its folder made if missing). */
  static void write(List<ScalePoint> points, Path file) throws IOException {
    // drawn off screen: a server has no display, and AWT must not look for one
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("bench --scale: time per organization")
            .xAxisTitle("organizations")
            .yAxisTitle("µs per organization")
            .build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setXAxisDecimalPattern("#,###");
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
    boolean any = false;
    any |=
        add(chart, "invoicing (generate-invoices + finalization)", points, ScalePoint::invoicing);
    any |= add(chart, "calculate-usage (an hour)", points, ScalePoint::calculateUsage);
    any |= add(chart, "admin dashboard (median answer)", points, ScalePoint::dashboard);
    if (!any) {
      throw new IOException("no workload ran at any size: nothing to plot");
    }
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    try (OutputStream png = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  /** Adds a series of the sizes where the workload ran; answers whether there was any. */
  private static boolean add(
      XYChart chart,
      String name,
      List<ScalePoint> points,
      Function<ScalePoint, ScalePoint.Measure> workload) {
    List<Double> organizations = new ArrayList<>();
    List<Double> micros = new ArrayList<>();
    for (ScalePoint point : points) {
      ScalePoint.Measure measure = workload.apply(point);
      if (measure.ran()) {
        organizations.add((double) point.organizations());
        micros.add(measure.microsPer(point.organizations()));
      }
    }
    if (organizations.isEmpty()) {
      return false;
    }
    XYSeries series = chart.addSeries(name, organizations, micros);
    series.setMarker(SeriesMarkers.CIRCLE);
    return true;
  }
}
