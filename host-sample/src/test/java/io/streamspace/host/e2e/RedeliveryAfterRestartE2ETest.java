package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch the platform redelivers after a restart (it never got the 202, say) changes nothing:
 * the journal remembers its ids, in PostgreSQL and on Kafka alike.
 */
class RedeliveryAfterRestartE2ETest {

  @TempDir Path work;

  @Test
  void aBatchRedeliveredAfterARestart_isNotBilledTwice() throws Exception {
    redeliverAfterARestart(null);
  }

  @Test
  void aBatchRedeliveredAfterARestart_isNotBilledTwice_onTheKafkaJournal() throws Exception {
    redeliverAfterARestart(KafkaBrokers.shared().journal("redelivery"));
  }

  private void redeliverAfterARestart(KafkaSettings kafka) throws Exception {
    String dbUrl = MigratedDatabases.freshDatabaseUrl();
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    List<Map<String, Object>> batch =
        List.of(
            Events.userCreated("frank", Instant.parse("2026-03-10T00:00:00Z")),
            Events.sessionCreated(
                "s-frank", "frank", Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.heartbeat("s-frank", "frank", Instant.parse("2026-03-10T06:00:00Z")),
            Events.sessionTerminated("s-frank", "frank", Instant.parse("2026-03-10T11:00:00Z")));

    try (BillingHost first = BillingHost.start(work, dbUrl, clock, Map.of(), kafka)) {
      first.api.postEvents(first.api.token("platform", "platform"), batch);
      // stored before the stop: on Kafka a 202 waits neither for the plugin nor for the index,
      // whose ids tell the redelivery after the restart
      first.api.awaitCaughtUp("billing");
      first.api.runJob("calculate-usage");
    }
    try (BillingHost second = BillingHost.start(work, dbUrl, clock, Map.of(), kafka)) {
      BillingApi api = second.api;
      JsonNode again = api.postEvents(api.token("platform", "platform"), batch);
      assertEquals(0, again.get("accepted").asInt(), again.toString());
      assertEquals(4, again.get("duplicates").asInt(), again.toString());
      api.runJob("calculate-usage");

      String usage = "?from=2026-03-10&to=2026-03-11";
      assertEquals(
          "1.40", amount(api.usage(api.token("frank", "user"), usage).expect(200), "total_cost"));
    }
  }
}
