package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The benchmark's log keeps stdout for the table: the console's warnings go to stderr, Kafka's
 * warnings to the log file only.
 */
class BenchLoggingTest {

  @TempDir Path logs;

  /** Back to the plain configuration the other tests of this JVM log with. */
  @AfterEach
  void resetLogging() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void nothingLoggedReachesStdout_kafkasWarningsOnlyTheFile_itsErrorsAndTheHostsWarningsStderr()
      throws Exception {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path file;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      file = BenchLogging.toFile(logs);
      LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender")
          .warn("kafka client warning: leader not available");
      LoggerFactory.getLogger("kafka.server.BrokerServer").warn("kafka broker warning");
      LoggerFactory.getLogger("state.change.logger").warn("kafka state change warning");
      LoggerFactory.getLogger("org.apache.kafka.clients.producer.KafkaProducer")
          .error("kafka client error");
      LoggerFactory.getLogger("io.streamspace.host.journal.kafka.KafkaIntake").warn("host warning");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    String printed = out.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    String logged = Files.readString(file);
    assertEquals("", printed, "stdout is the table's");
    assertFalse(progress.contains("kafka client warning"), progress);
    assertFalse(progress.contains("kafka broker warning"), progress);
    assertFalse(progress.contains("kafka state change warning"), progress);
    assertTrue(progress.contains("kafka client error"), progress);
    assertTrue(progress.contains("host warning"), progress);
    for (String line :
        new String[] {
          "kafka client warning: leader not available",
          "kafka broker warning",
          "kafka state change warning",
          "kafka client error",
          "host warning"
        }) {
      assertTrue(logged.contains(line), line + " in " + logged);
    }
  }
}
