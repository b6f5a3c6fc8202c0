package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.testing.Await;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionMeteringE2ETest}'s money on the Kafka journal: the seed's pricing example, late
 * and out-of-order heartbeats, a redelivered batch and a rerun job bill the same cents as on
 * PostgreSQL. Here a 202 does not wait for the plugin: the tests read once its lag is 0.
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

  /**
   * The plugin's store of the session held (its row locked, as a slow or stuck apply would hold
   * it): intake answers 202 once the brokers acknowledged, well within the 5 s it waits on the
   * PostgreSQL journal, and health's lag counts the event at once; the plugin applies it when
   * the lock goes.
   */
  @Test
  void a202OnKafkaDoesNotWaitForThePlugin_whoseLagCountsTheEventUntilItAppliesIt()
      throws Exception {
    String user = newUser("held");
    String session = "s-" + user;
    api.postEvents(
        platformToken, List.of(Events.sessionCreated(session, user, at("01:00"), "1", "1", "0")));
    api.awaitCaughtUp("billing");
    OperatorDatabase db = new OperatorDatabase(dbUrl);
    String ended = "SELECT count(*) FROM billing_sessions WHERE session_id = ? AND ended_at = ?";

    Duration answeredIn;
    long lagAfterThe202;
    try (Connection held =
        db.lock("SELECT 1 FROM billing_sessions WHERE session_id = ? FOR UPDATE", session)) {
      long posted = System.nanoTime();
      api.postEvents(platformToken, List.of(Events.sessionTerminated(session, user, at("02:00"))));
      answeredIn = Duration.ofNanos(System.nanoTime() - posted);
      lagAfterThe202 = api.lagEvents("billing");
      // the plugin's store waits for the lock, held since before the post: not applied yet
      db.awaitBlockedBy(List.of(held));
      assertEquals(0, db.count(ended, session, at("02:00")));
      held.rollback();
    }

    assertTrue(
        answeredIn.compareTo(Duration.ofSeconds(3)) < 0,
        "answered once the brokers acknowledged, not after the plugin: " + answeredIn);
    assertTrue(lagAfterThe202 >= 1, "the event counted in the lag at once: " + lagAfterThe202);
    api.awaitCaughtUp("billing");
    assertEquals(1, db.count(ended, session, at("02:00")), "applied once the lock went");
  }
}
