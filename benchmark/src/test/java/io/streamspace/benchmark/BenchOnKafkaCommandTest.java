package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.TestRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmark.jar --journal kafka}, run once in process as the smoke test of the benchmark
 * command on the Kafka journal ({@link BenchCommandTest} runs it on PostgreSQL): no timing is
 * asserted. A class of its own so that the module's two test JVMs share the benchmark runs.
 */
class BenchOnKafkaCommandTest {

  @TempDir Path work;

  /**
   * {@code --size small --journal kafka --only intake}: the host journals on a broker the
   * benchmark starts in its own JVM (no bootstrap servers given), and intake's rows come with the
   * raw producer's to the same broker: intake against the producer's time, the producer's own
   * rate and latencies, the plugin's apply rate. The workload's checks passed (it would be a
   * failed row otherwise): every event accepted, once in the journal's index and once in the
   * topic. No timing is asserted.
   */
  @Test
  void benchOnKafkaMeasuresIntakeAgainstARawProducerToTheSameBroker_eachEventJournaledOnce()
      throws Exception {
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    // a setting whose effect the table shows, and a secret that must show nowhere
    Path kafkaProperties = work.resolve("kafka.properties");
    Files.writeString(kafkaProperties, "linger.ms=7\nssl.key.password=secret-key-password\n");
    BenchCommandLine line =
        BenchCommandLine.parse(
            new String[] {
              "--size",
              "small",
              "--journal",
              "kafka",
              "--only",
              "intake",
              "--plugin-repository",
              repository.location(),
              "--kafka-properties",
              kafkaProperties.toString()
            });
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit =
        Bench.run(line, BenchCommandTest.print(progress), BenchCommandTest.print(out), logs -> {});

    String console = progress.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, console + out);
    assertTrue(console.contains("bench: the journal on Kafka, on a broker started in this JVM"));
    assertTrue(
        console.contains(
            "bench: the Kafka clients' properties of "
                + kafkaProperties
                + ": linger.ms, ssl.key.password"),
        console);
    assertFalse((console + out).contains("secret-key-password"), "a value is never printed");
    assertTrue(
        Pattern.compile("intake: the topic holds the [\\d,]+ events once each")
            .matcher(console)
            .find(),
        console);
    List<String> table = out.toString(StandardCharsets.UTF_8).lines().toList();
    List<List<String>> rows =
        table.stream()
            .skip(2)
            .takeWhile(l -> l.startsWith("|"))
            .map(r -> BenchCommandTest.split(r))
            .toList();
    assertEquals(3, rows.size(), "intake, the raw producer, the plugin's apply: " + table);
    String on = "on Kafka (12 partitions, a broker in this JVM)";

    List<String> intake = rows.get(0);
    assertEquals(
        "intake: events over HTTP in batches of 1,000, journaled " + on + " (p50/p99 per batch)",
        intake.get(0));
    assertTrue(intake.get(3).endsWith(" events/s"), intake.toString());
    assertTrue(intake.get(6).startsWith("idempotent acks=all producer"), intake.toString());
    // the properties' linger.ms, over the journal's own 5 ms
    assertTrue(
        intake.get(6).contains("(lz4, linger 7 ms, batches of 262,144 bytes)"), intake.toString());
    assertTrue(intake.get(8).matches("\\d+\\.\\d\\d"), "time over the producer's: " + intake);
    assertTrue(intake.get(9).startsWith("≥ 0.5 × the raw producer's rate"), intake.toString());
    assertTrue(List.of("yes", "no").contains(intake.get(10)), intake.toString());

    List<String> producer = rows.get(1);
    assertEquals(
        "intake: the raw producer alone, " + on + " (p50/p99 per batch of 1,000)", producer.get(0));
    // as many records as intake journaled events: the time is shown in whole milliseconds
    // (cut, not rounded), so rate × time may fall short by up to a millisecond's events
    double rate = BenchCommandTest.rate(intake.get(3));
    long events = Math.round(rate * BenchCommandTest.seconds(intake.get(2)));
    long records = Long.parseLong(producer.get(1).replace(" records", "").replace(",", ""));
    assertEquals(events, records, rate / 1000 + 2, "events and records: " + rows);
    assertTrue(producer.get(3).endsWith(" records/s"), producer.toString());
    assertFalse(producer.get(4).isEmpty() || producer.get(5).isEmpty(), producer.toString());

    assertTrue(
        rows.get(2).get(0).startsWith("intake: the same events applied by the billing plugin"),
        rows.get(2).toString());
    assertTrue(rows.get(2).get(3).endsWith(" events/s"), rows.get(2).toString());
  }
}
