package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.SessionBatches.assertBilledOnce;
import static io.streamspace.host.e2e.SessionBatches.batches;
import static io.streamspace.host.e2e.SessionBatches.eventIds;
import static io.streamspace.host.e2e.SessionBatches.sessionsByUser;
import static io.streamspace.host.e2e.SessionBatches.sessionsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing plugin's consumer on the Kafka journal crashing between its database commit and the
 * store of its place (issue 29, "Faults"), end to end with the real plugin: {@code
 * KafkaConsumersTest} shows the round handed again with a stand-in plugin; here the host is
 * stopped with the plugin's writes of every event committed and its place in {@code
 * host_kafka_offsets} put back where it was before those events, the state such a crash leaves
 * (the place is stored in a transaction of its own after the plugin's flush). The host started
 * again hands the whole round to the plugin a second time, and the bill stays what the events make
 * by hand, each session once.
 */
class KafkaConsumerCrashE2ETest {

  private static final int USERS = 3;
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  @TempDir Path work;

  @Test
  void aCrashBetweenThePluginsCommitAndItsPlaceStore_handsTheRoundAgain_andBillsEachSessionOnce()
      throws Exception {
    String dbUrl = TestDatabases.freshDatabaseUrl();
    OperatorDatabase db = new OperatorDatabase(dbUrl);
    MutableClock clock = new MutableClock(NOW);
    KafkaSettings kafka = KafkaBrokers.shared().journal("consumer-crash");
    Instant sessionStart = Instant.parse("2026-03-10T08:00:00Z");
    List<Batch> posted = batches("crash", 4, 15, USERS, sessionStart);
    Map<String, Integer> sessionsByUser = sessionsByUser(posted);
    int sessions = sessionsOf(sessionsByUser);
    String placeOfBilling =
        "SELECT coalesce(sum(next_offset), 0) FROM host_kafka_offsets WHERE consumer = 'billing'";

    long placeBefore;
    try (BillingHost host = BillingHost.start(work, dbUrl, clock, Map.of(), kafka)) {
      // the plugin seen first starts from the end of each partition, stored at once
      placeBefore = db.count(placeOfBilling);
      String platform = host.api.token("platform", "platform");
      for (Batch batch : posted) {
        host.api.postEvents(platform, batch.events());
      }
      host.api.awaitCaughtUp("billing");
      host.api.runJob("calculate-usage");
      assertBilledOnce(host.api, sessionStart, sessionsByUser);
    }
    long placeAfter = db.count(placeOfBilling);
    assertEquals(placeBefore + eventIds(posted).size(), placeAfter, "every record consumed");

    // the crash: the plugin's writes committed, its place not stored (as before the round)
    db.update(
        """
        UPDATE host_kafka_offsets SET next_offset = 0
        WHERE consumer = 'billing' AND topic = ?""",
        kafka.topic());
    assertEquals(0, db.count(placeOfBilling));

    try (BillingHost restarted = BillingHost.start(work, dbUrl, clock, Map.of(), kafka)) {
      restarted.api.awaitCaughtUp("billing");
      assertEquals(placeAfter, db.count(placeOfBilling), "the round handed again, to its end");
      assertEquals(sessions, db.count("SELECT count(*) FROM billing_sessions"));
      long rated = restarted.api.runJob("calculate-usage").get("rows_touched").asLong();
      long journaled = db.count("SELECT count(DISTINCT event_id) FROM host_journal");
      long billed =
          db.count(
              "SELECT count(DISTINCT session_id) FROM billing_usage_records"
                  + " WHERE resource_type = 'cpu'");
      long doubled =
          db.count("SELECT count(*) FROM billing_usage_records WHERE resource_type = 'cpu'")
              - billed;
      long accepted = eventIds(posted).size();
      long lost = (accepted - journaled) + (sessions - billed);
      System.out.printf(
          "Kafka consumer crashed between its commit and its place's store, %d records handed"
              + " again: accepted %d events, journaled %d, billed %d sessions, lost %d,"
              + " doubled %d%n",
          placeAfter, accepted, journaled, billed, lost, doubled);
      assertEquals(0, lost, "lost");
      assertEquals(0, doubled, "doubled");
      assertEquals(0, rated, "nothing new to rate: the sessions handed again were rated once");
      assertEquals(2L * sessions, db.count("SELECT count(*) FROM billing_usage_records"));
      assertBilledOnce(restarted.api, sessionStart, sessionsByUser);
    }
    assertTrue(placeAfter > 0, "records were in the round");
  }
}
