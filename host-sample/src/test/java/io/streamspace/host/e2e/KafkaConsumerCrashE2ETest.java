package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.SessionBatches.assertBilledOnce;
import static io.streamspace.host.e2e.SessionBatches.batches;
import static io.streamspace.host.e2e.SessionBatches.eventIds;
import static io.streamspace.host.e2e.SessionBatches.sessionsByUser;
import static io.streamspace.host.e2e.SessionBatches.sessionsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The billing plugin's consumer on the Kafka journal crashing between its database commit and the
 * store of its place (issue 29, "Faults"), end to end with the real plugin: {@code
 * KafkaConsumersTest} shows the round handed again with a stand-in plugin; here the plugin is
 * stopped with its writes of every event committed and its place in {@code host_kafka_offsets}
 * put back where it was before those events, the state such a crash leaves (the place is stored
 * in a transaction of its own after the plugin's flush). Started again (as after a restart of the
 * node: its consumer resumes from the stored place), it is handed the whole round a second time,
 * and the bill stays what the events make by hand, each session once.
 */
class KafkaConsumerCrashE2ETest extends BillingHostTestBase {

  private static final int USERS = 3;

  private KafkaSettings journal;

  @Override
  KafkaSettings kafkaJournal() {
    journal = KafkaBrokers.shared().journal("consumer-crash");
    return journal;
  }

  @Test
  void aCrashBetweenThePluginsCommitAndItsPlaceStore_handsTheRoundAgain_andBillsEachSessionOnce()
      throws Exception {
    OperatorDatabase db = new OperatorDatabase(dbUrl);
    Instant sessionStart = at("08:00");
    List<Batch> posted = batches("crash", 4, 15, USERS, sessionStart);
    Map<String, Integer> sessionsByUser = sessionsByUser(posted);
    int sessions = sessionsOf(sessionsByUser);
    long accepted = eventIds(posted).size();
    String placeOfBilling =
        "SELECT coalesce(sum(next_offset), 0) FROM host_kafka_offsets"
            + " WHERE consumer = 'billing' AND topic = ?";

    // the plugin, seen first on a new topic, starts at its beginning
    assertEquals(0, db.count(placeOfBilling, journal.topic()));
    for (Batch batch : posted) {
      api.postEvents(platformToken, batch.events());
    }
    api.awaitCaughtUp("billing");
    awaitJournaled(accepted);
    api.runJob("calculate-usage");
    assertBilledOnce(api, sessionStart, sessionsByUser);
    assertEquals(accepted, db.count(placeOfBilling, journal.topic()), "every record consumed");

    // the crash: the plugin's writes committed, its place not stored (as before the round)
    api.http.post("/api/admin/plugins/billing/disable", api.adminToken, null).expect(200);
    db.update(
        "UPDATE host_kafka_offsets SET next_offset = 0 WHERE consumer = 'billing' AND topic = ?",
        journal.topic());
    assertEquals(0, db.count(placeOfBilling, journal.topic()));
    assertEquals(
        journal.partitions(),
        db.count(
            "SELECT count(*) FROM host_kafka_offsets WHERE consumer = 'billing' AND topic = ?",
            journal.topic()),
        "a place stored for each partition: the plugin resumes from it, not from the ends");
    api.http.post("/api/admin/plugins/billing/enable", api.adminToken, null).expect(200);

    api.awaitCaughtUp("billing");
    assertEquals(
        accepted, db.count(placeOfBilling, journal.topic()), "the round handed again, to its end");
    assertEquals(sessions, db.count("SELECT count(*) FROM billing_sessions"));
    long rated = api.runJob("calculate-usage").get("rows_touched").asLong();
    long journaled = db.count("SELECT count(DISTINCT event_id) FROM host_journal");
    long billed =
        db.count(
            "SELECT count(DISTINCT session_id) FROM billing_usage_records"
                + " WHERE resource_type = 'cpu'");
    long doubled =
        db.count("SELECT count(*) FROM billing_usage_records WHERE resource_type = 'cpu'") - billed;
    long lost = (accepted - journaled) + (sessions - billed);
    System.out.printf(
        "Kafka consumer crashed between its commit and its place's store, %d records handed"
            + " again: accepted %d events, journaled %d, billed %d sessions, lost %d, doubled %d%n",
        accepted, accepted, journaled, billed, lost, doubled);
    assertEquals(0, lost, "lost");
    assertEquals(0, doubled, "doubled");
    assertEquals(0, rated, "nothing new to rate: the sessions handed again were rated once");
    assertEquals(2L * sessions, db.count("SELECT count(*) FROM billing_usage_records"));
    assertBilledOnce(api, sessionStart, sessionsByUser);
  }
}
