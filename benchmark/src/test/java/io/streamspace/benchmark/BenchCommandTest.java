package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.support.TestRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmark.jar --size small}, run once in process as the smoke test of the benchmark
 * command: no timing is asserted, only that every workload ran and checked its own results, and
 * the table's shape.
 */
class BenchCommandTest {

  private static final Pattern FOLDER = Pattern.compile("embedded PostgreSQL in (\\S+)");

  @TempDir Path work;

  @Test
  void benchSmallRunsEveryWorkloadOnItsOwnHostAndPrintsOneTableWithMachineAndCommit()
      throws Exception {
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    BenchCommandLine line =
        BenchCommandLine.parse(
            new String[] {"--size", "small", "--plugin-repository", repository.location()});
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit = Bench.run(line, print(progress), print(out), logs -> {});

    String console = progress.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, console + out);
    List<String> table = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(cells(BenchTable.COLUMNS), table.get(0));
    List<String> rows = table.stream().skip(2).takeWhile(l -> l.startsWith("|")).toList();
    for (String row : rows) {
      List<String> cells = split(row);
      assertEquals(BenchTable.COLUMNS.size(), cells.size(), row);
      assertFalse(row.contains("failed"), row);
      // a row with a target says whether it is met; a row without one (the invoicing
      // workload's roll-up, a figure for the record) says nothing
      assertTrue(
          cells.get(9).isEmpty()
              ? cells.get(10).isEmpty()
              : List.of("yes", "no").contains(cells.get(10)),
          "target met or not: " + row);
    }
    List<String> workloads = BenchRunner.workloads().stream().map(Workload::name).toList();
    assertEquals(
        List.of(
            "intake",
            "intake-with-rating",
            "admission",
            "calculate-usage",
            "invoicing",
            "what-if",
            "usage-reads",
            "admin-reads",
            "analytics-reads",
            "forecast-backtest",
            "heap",
            "start"),
        workloads);
    for (String workload : workloads) {
      assertTrue(
          rows.stream().anyMatch(r -> r.startsWith("| " + workload + ": ")),
          "a row of " + workload + " in " + table);
    }
    assertEquals(
        30,
        rows.size(),
        "intake, admission and invoicing (the run and its roll-up) have two rows each, as have"
            + " calculate-usage and intake-with-rating (the job's own time and its wall time),"
            + " usage-reads six (three routes, two accounts), admin-reads six (four routes, and"
            + " the report of every organization as JSON and CSV), analytics-reads four,"
            + " what-if and forecast-backtest one: "
            + rows);
    String whileRating =
        rows.stream()
            .filter(r -> r.startsWith("| intake-with-rating: intake's"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        whileRating.contains("heartbeat batches under way while none ran, the same run's baseline"),
        "intake while rating names the same run's baseline: " + whileRating);
    List<String> whatIf =
        split(rows.stream().filter(r -> r.startsWith("| what-if: ")).findFirst().orElseThrow());
    assertTrue(whatIf.get(1).contains("organizations answered"), "the what-if's size: " + whatIf);
    assertEquals("≤ 2 × generate-invoices", whatIf.get(9), "the what-if's target: " + whatIf);
    assertTrue(whatIf.get(8).matches("[\\d.]+"), "the what-if ÷ generate-invoices: " + whatIf);
    assertTrue(
        table.get(table.size() - 1).matches("Machine: \\d+ cores, .+\\. Commit: \\S+\\."),
        table.get(table.size() - 1));
    Matcher folder = FOLDER.matcher(console);
    assertTrue(folder.find(), console);
    assertFalse(Files.exists(Path.of(folder.group(1))), "the temporary folder is deleted");
  }

  @Test
  void theJournalIsPostgresOrKafka_andTheKafkaOptionsNeedTheKafkaJournal() throws Exception {
    BenchCommandLine kafka =
        BenchCommandLine.parse(
            new String[] {
              "--journal",
              "kafka",
              "--kafka-bootstrap",
              "b1:9092,b2:9092",
              "--kafka-partitions",
              "24"
            });
    assertEquals(JournalKind.KAFKA, kafka.journal);
    assertEquals("b1:9092,b2:9092", kafka.kafkaBootstrap);
    assertEquals(24, kafka.kafkaPartitions());
    BenchCommandLine plain = BenchCommandLine.parse(new String[0]);
    assertEquals(JournalKind.POSTGRES, plain.journal);
    assertNull(plain.kafkaBootstrap, "no brokers given: one started in the JVM");
    assertEquals(12, BenchCommandLine.parse(new String[] {"--journal", "kafka"}).kafkaPartitions());
    for (String[] refused :
        List.of(
            new String[] {"--kafka-bootstrap", "b1:9092"},
            new String[] {"--journal", "postgres", "--kafka-partitions", "3"},
            new String[] {"--journal", "kafka", "--kafka-partitions", "0"},
            new String[] {"--journal", "mysql"},
            new String[] {"--journal", "kafka", "--scale"})) {
      assertThrows(
          BenchCommandLine.UsageException.class,
          () -> BenchCommandLine.parse(refused),
          String.join(" ", refused));
    }
    assertTrue(BenchCommandLine.USAGE.contains("--journal <postgres|kafka>"));
  }

  @Test
  void kafkaPropertiesAreReadFromTheirFile_forTheKafkaJournalOnly_noValueEverInAMessage(
      @TempDir Path folder) throws Exception {
    Path file = folder.resolve("kafka.properties");
    Files.writeString(
        file, "security.protocol=SASL_SSL\nsasl.jaas.config=secret-jaas-value\nlinger.ms=7\n");

    BenchCommandLine kafka =
        BenchCommandLine.parse(
            new String[] {"--journal", "kafka", "--kafka-properties", file.toString()});

    assertEquals(file, kafka.kafkaPropertiesFile);
    assertEquals(
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.jaas.config", "secret-jaas-value",
            "linger.ms", "7"),
        kafka.kafkaClientProperties);
    assertEquals(Map.of(), BenchCommandLine.parse(new String[0]).kafkaClientProperties);
    BenchCommandLine.UsageException withoutKafka =
        assertThrows(
            BenchCommandLine.UsageException.class,
            () -> BenchCommandLine.parse(new String[] {"--kafka-properties", file.toString()}));
    assertEquals(
        "--kafka-* options are for the Kafka journal: add --journal kafka",
        withoutKafka.getMessage());
    Path malformed = folder.resolve("malformed.properties");
    Files.writeString(malformed, "sasl.jaas.config=secret-jaas-value\\uZZZZ\n");
    BenchCommandLine.UsageException unreadable =
        assertThrows(
            BenchCommandLine.UsageException.class,
            () ->
                BenchCommandLine.parse(
                    new String[] {
                      "--journal", "kafka", "--kafka-properties", malformed.toString()
                    }));
    assertEquals(
        "--kafka-properties " + malformed + " could not be read as Java properties",
        unreadable.getMessage());
    assertTrue(BenchCommandLine.USAGE.contains("  --kafka-properties <file> "));
  }

  /** A rate cell's figure, e.g. 3,123 of "3,123 events/s". */
  static double rate(String cell) {
    return Double.parseDouble(cell.substring(0, cell.indexOf(' ')).replace(",", ""));
  }

  /** A time cell in seconds: "5,443 ms" or "61.2 s". */
  static double seconds(String cell) {
    String figure = cell.substring(0, cell.indexOf(' ')).replace(",", "");
    return cell.endsWith(" ms") ? Double.parseDouble(figure) / 1000 : Double.parseDouble(figure);
  }

  @Test
  void theBenchmarkTakesNoHostOption_andTheHelpShowsItsCommand() throws Exception {
    assertTrue(
        BenchCommandLine.USAGE.contains(
            "java -jar benchmark/target/benchmark.jar [--size small|full] [--only w1,w2]"));
    assertTrue(
        assertThrows(
                BenchCommandLine.UsageException.class,
                () -> BenchCommandLine.parse(new String[] {"--db-url", "jdbc:x"}))
            .getMessage()
            .contains("not --db-url"));
    BenchCommandLine line = BenchCommandLine.parse(new String[] {"--only", "intake,start"});
    assertEquals(BenchSize.FULL, line.size);
    assertEquals(List.of("intake", "start"), line.only);
  }

  @Test
  void theHelpPointsAtTheBenchmarkPage_whichDescribesEveryWorkload() throws Exception {
    assertTrue(BenchCommandLine.USAGE.contains("(docs/benchmark.md)"), BenchCommandLine.USAGE);
    assertFalse(BenchCommandLine.USAGE.contains("README"), "the README no longer describes it");
    // the module's tests run in benchmark/: the page is at the repository's root
    String page = Files.readString(Path.of("../docs/benchmark.md"));
    for (Workload workload : BenchRunner.workloads()) {
      assertTrue(
          page.contains("| `" + workload.name() + "` |"),
          "docs/benchmark.md has no row for the workload " + workload.name());
    }
  }

  @Test
  void thePluginRepositoryDefaultsAsTheHostsDoes_optionThenEnvironmentThenNextToTheJar()
      throws Exception {
    Files.createDirectories(work.resolve("plugin-repository"));
    Map<String, String> environment = Map.of(BenchCommandLine.REPOSITORIES_ENV, " /a , /b ");
    assertEquals(
        List.of("/given"),
        BenchCommandLine.parse(new String[] {"--plugin-repository", "/given"})
            .pluginRepositories(environment, work));
    BenchCommandLine none = BenchCommandLine.parse(new String[0]);
    assertEquals(List.of("/a", "/b"), none.pluginRepositories(environment, work));
    assertEquals(
        List.of(work.resolve("plugin-repository").toString()),
        none.pluginRepositories(Map.of(), work));
    assertEquals(List.of(), none.pluginRepositories(Map.of(), null));
  }

  static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  static String cells(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |";
  }

  /** A row's cells (no cell of these rows holds an escaped bar). */
  static List<String> split(String row) {
    String inner = row.substring(1, row.length() - 1);
    return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
  }
}
