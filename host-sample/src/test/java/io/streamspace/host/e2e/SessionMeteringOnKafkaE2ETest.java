package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionMeteringE2ETest}'s money on the Kafka journal: the seed's pricing example, late
 * and out-of-order heartbeats, a redelivered batch and a rerun job bill the same cents as on
 * PostgreSQL.
 */
class SessionMeteringOnKafkaE2ETest extends SessionMeteringE2ETest {

  @Override
  KafkaSettings kafkaJournal() {
    return KafkaBrokers.shared().journal("session-metering");
  }

  @Test
  void healthShowsHowFarTheJournalsIndexIsBehind_ineachPartitionOfTheTopic() {
    JsonNode index =
        Await.await(
            Duration.ofSeconds(30),
            Duration.ofMillis(50),
            "the index's lag in /api/health, caught up",
            () -> api.http.get("/api/health", null).expect(200).at("/journal/index"),
            lag -> lag.at("/events").asLong(-1) == 0);

    assertEquals(3, index.get("partitions").size(), index.toString());
    assertEquals(0, index.at("/partitions/2/events").asLong(-1), index.toString());
  }
}
