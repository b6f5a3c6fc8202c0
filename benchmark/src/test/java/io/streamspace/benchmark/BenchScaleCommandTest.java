package io.streamspace.benchmark;

import static io.streamspace.benchmark.BenchCommandTest.cells;
import static io.streamspace.benchmark.BenchCommandTest.print;
import static io.streamspace.benchmark.BenchCommandTest.split;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.TestRepository;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmark.jar --scale}, run once in process as the smoke test of the scale run. A class
 * of its own, apart from {@link BenchCommandTest}'s small run, so that the module's two test JVMs
 * share the benchmark runs (as {@link BenchOnKafkaCommandTest} does).
 */
class BenchScaleCommandTest {

  @TempDir Path work;

  /**
   * {@code --scale} at two tiny sizes: each on a fresh host, one table row per size with every
   * workload's time and time per organization (none failed), the growth line, and the plot a PNG
   * that ImageIO reads back at XChart's size. No timing is asserted.
   */
  @Test
  void benchScaleMeasuresEachSizeOnAFreshHost_printsARowPerSizeAndDrawsAPng() throws Exception {
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    Path plot = work.resolve("plots").resolve("scale.png");
    BenchCommandLine line =
        BenchCommandLine.parse(
            new String[] {
              "--scale",
              "--scale-sizes",
              "20,40",
              "--plot",
              plot.toString(),
              "--plugin-repository",
              repository.location()
            });
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit = Bench.run(line, print(progress), print(out), logs -> {});

    String console = progress.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, console + out);
    List<String> table = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(cells(ScaleTable.COLUMNS), table.get(0));
    List<String> rows = table.stream().skip(2).takeWhile(l -> l.startsWith("|")).toList();
    assertEquals(2, rows.size(), "a row per size: " + table);
    for (int i = 0; i < rows.size(); i++) {
      List<String> row = split(rows.get(i));
      assertEquals(ScaleTable.COLUMNS.size(), row.size(), rows.get(i));
      assertEquals(List.of("20", "40").get(i), row.get(0));
      assertTrue(row.get(1).matches("[\\d,]+ MB"), "the database's size: " + rows.get(i));
      for (int cell : List.of(3, 6, 9)) {
        assertTrue(row.get(cell).endsWith(" µs"), "time per organization: " + rows.get(i));
      }
      assertTrue(row.get(4).matches("\\d+\\.\\d\\d"), "invoicing ÷ its baseline: " + rows);
      assertTrue(row.get(7).matches("\\d+\\.\\d\\d"), "calculate-usage ÷ its COPY: " + rows);
    }
    assertTrue(
        table.stream().anyMatch(l -> l.startsWith("Time per organization at 40 ÷ at 20 ")),
        table.toString());
    // two hosts, one per size, each in its own folder
    assertEquals(
        2, console.lines().filter(l -> l.contains("organizations, on a fresh host")).count());

    byte[] png = Files.readAllBytes(plot);
    assertArrayEquals(
        new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
        Arrays.copyOf(png, 8),
        "the PNG signature");
    BufferedImage image = ImageIO.read(plot.toFile());
    assertEquals(900, image.getWidth());
    assertEquals(560, image.getHeight());
  }

  @Test
  void scaleSizesAreIncreasingPositiveNumbers_andScaleTakesNoOnly() throws Exception {
    BenchCommandLine line = BenchCommandLine.parse(new String[] {"--scale"});
    assertTrue(line.scale);
    assertEquals(List.of(10_000, 100_000, 1_000_000), line.scaleSizes);
    assertEquals(Path.of("benchmark-scale.png"), line.plot);
    assertEquals(
        List.of(1_000, 10_000),
        BenchCommandLine.parse(new String[] {"--scale", "--scale-sizes", "1000,10000"}).scaleSizes);
    for (String sizes : List.of("0,10", "10,10", "100,10", "1e3", "10,")) {
      assertThrows(
          BenchCommandLine.UsageException.class,
          () -> BenchCommandLine.parse(new String[] {"--scale-sizes", sizes}),
          sizes);
    }
    assertTrue(
        assertThrows(
                BenchCommandLine.UsageException.class,
                () -> BenchCommandLine.parse(new String[] {"--scale", "--only", "intake"}))
            .getMessage()
            .contains("--only does not apply"));
  }
}
