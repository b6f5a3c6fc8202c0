package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An event that passes validation but the database refuses (here the operator's own CHECK
 * constraint) no longer stops metering: the batch is answered 202, the rest of it is billed, the
 * event waits in the dead letters with the database's reason, and after the fix a replay stores
 * it and it is billed.
 */
class DeadLettersE2ETest extends BillingHostTestBase {

  @Test
  void anEventTheDatabaseRefusesIsSetAsideTheRestIsBilledAndAReplayAfterTheFixBillsIt()
      throws Exception {
    String ann = newUser("ann");
    String bob = newUser("bob");
    sql("ALTER TABLE billing_sessions ADD CONSTRAINT no_bob CHECK (user_id <> '" + bob + "')");

    JsonNode answer =
        api.postEvents(
            platformToken,
            List.of(
                Events.userCreated(ann, at("00:00")),
                Events.sessionCreated("s-" + bob, bob, at("01:00"), "1", "0", "0"),
                Events.sessionCreated("s-" + ann, ann, at("01:00"), "2", "4", "0"),
                Events.sessionTerminated("s-" + ann, ann, at("11:00"))));

    assertEquals(4, answer.get("accepted").asInt(), "202: the batch is acknowledged");
    api.runJob("calculate-usage");
    assertEquals("1.40", amount(usage(ann), "total_cost"), "the rest of the batch is billed");

    JsonNode letter = deadLetters("").get(0);
    assertEquals("billing", letter.get("plugin_id").asText());
    assertEquals("session.created", letter.get("event_type").asText());
    assertEquals(bob, letter.at("/event/session/user_id").asText());
    assertEquals(1, letter.at("/event/session/cpu_cores").asInt());
    assertTrue(letter.get("reason").asText().contains("no_bob"), letter.toString());
    assertEquals("pending", letter.get("replay_status").asText());
    assertEquals(NOW.toString(), letter.get("first_failed_at").asText());
    JsonNode journaled =
        api.http.get("/api/admin/journal?user_id=" + bob, api.adminToken).expect(200);
    assertEquals(
        journaled.at("/events/0/seq").asLong(),
        letter.get("journal_id").asLong(),
        "the dead letter points at the event's journal entry: " + journaled);
    String replay = "/api/admin/dead-letters/" + letter.get("id").asText() + "/replay";

    Response notFixedYet = api.http.post(replay, api.adminToken, null);
    assertEquals(409, notFixedYet.status(), notFixedYet.toString());
    assertEquals("replay_failed", notFixedYet.body().at("/error/code").asText());
    JsonNode stillKept = deadLetters("").get(0);
    assertEquals("replay_failed", stillKept.get("replay_status").asText());
    assertEquals(2, stillKept.get("failures").asInt());

    sql("ALTER TABLE billing_sessions DROP CONSTRAINT no_bob");
    JsonNode replayed = api.http.post(replay, api.adminToken, null).expect(200);
    assertEquals("replayed", replayed.get("replay_status").asText());
    api.postEvents(platformToken, List.of(Events.sessionTerminated("s-" + bob, bob, at("03:00"))));
    api.runJob("calculate-usage");
    // 1 core for 2 hours at 0.05
    assertEquals("0.10", amount(usage(bob), "total_cost"), "billed after the replay");
  }

  @Test
  void deadLettersAreAnAdminListPagedNewestFirst() throws Exception {
    String carl = newUser("carl");
    sql("ALTER TABLE billing_sessions ADD CONSTRAINT no_carl CHECK (user_id <> '" + carl + "')");
    try {
      for (String session : List.of("s-1", "s-2", "s-3")) {
        api.postEvents(
            platformToken,
            List.of(Events.sessionCreated(session + carl, carl, at("01:00"), "1", "0", "0")));
      }
    } finally {
      sql("ALTER TABLE billing_sessions DROP CONSTRAINT no_carl");
    }

    JsonNode first = api.http.get("/api/admin/dead-letters?limit=2", api.adminToken).expect(200);
    assertEquals("s-3" + carl, first.at("/dead_letters/0/event/session/session_id").asText());
    assertEquals("s-2" + carl, first.at("/dead_letters/1/event/session/session_id").asText());
    JsonNode next =
        api.http
            .get(
                "/api/admin/dead-letters?limit=2&offset=" + first.get("next_offset").asInt(),
                api.adminToken)
            .expect(200);
    assertEquals("s-1" + carl, next.at("/dead_letters/0/event/session/session_id").asText());

    assertEquals(400, api.http.get("/api/admin/dead-letters?limit=0", api.adminToken).status());
    assertEquals(403, api.http.get("/api/admin/dead-letters", platformToken).status());
    assertEquals(
        404,
        api.http.post("/api/admin/dead-letters/%EF%BC%91/replay", api.adminToken, null).status(),
        "a fullwidth digit is no id");
    assertEquals(
        404, api.http.post("/api/admin/dead-letters/999999/replay", api.adminToken, null).status());
  }

  @Test
  void aReplayThatCannotBeDoneNowIsRefusedAndTheLetterKept() throws Exception {
    String dora = newUser("dora");
    sql("ALTER TABLE billing_sessions ADD CONSTRAINT no_dora CHECK (user_id <> '" + dora + "')");
    api.postEvents(
        platformToken,
        List.of(Events.sessionCreated("s-" + dora, dora, at("01:00"), "1", "0", "0")));
    sql("ALTER TABLE billing_sessions DROP CONSTRAINT no_dora");
    long id = deadLetters("").get(0).get("id").asLong();
    String replay = "/api/admin/dead-letters/" + id + "/replay";

    api.http.post("/api/admin/plugins/billing/disable", api.adminToken, null).expect(200);
    Response disabled = api.http.post(replay, api.adminToken, null);
    api.http.post("/api/admin/plugins/billing/enable", api.adminToken, null).expect(200);
    assertEquals(409, disabled.status(), disabled.toString());
    assertEquals("plugin_not_started", disabled.body().at("/error/code").asText());

    // kept by a host whose rules were looser than today's
    sql(
        "UPDATE host_dead_letters SET event = jsonb_set(event::jsonb, '{session,cpu_cores}', '0.0000001')::text"
            + " WHERE id = "
            + id);
    Response invalid = api.http.post(replay, api.adminToken, null);
    assertEquals(409, invalid.status(), invalid.toString());
    assertEquals("not_replayable", invalid.body().at("/error/code").asText());
    assertTrue(invalid.body().at("/error/message").asText().contains("session.cpu_cores"));
    assertEquals("pending", deadLetters("").get(0).get("replay_status").asText());

    // set aside by the Kafka journal's index: its id stands for another event, which was applied
    sql("UPDATE host_dead_letters SET plugin_id = '#journal' WHERE id = " + id);
    Response anotherUnderItsId = api.http.post(replay, api.adminToken, null);
    assertEquals(409, anotherUnderItsId.status(), anotherUnderItsId.toString());
    assertEquals("not_replayable", anotherUnderItsId.body().at("/error/code").asText());
    assertTrue(
        anotherUnderItsId
            .body()
            .at("/error/message")
            .asText()
            .contains("another event was accepted under this id"));
    assertEquals("pending", deadLetters("").get(0).get("replay_status").asText());
  }

  @Test
  void aUsageReportTheDatabaseRefusesIsKeptAsPostedAndStoredOnceWhenReplayedAfterTheFix()
      throws Exception {
    String eve = newUser("eve");
    String noEve = "ALTER TABLE billing_usage_reports %s CONSTRAINT no_eve";
    sql(noEve.formatted("ADD") + " CHECK (user_id <> '" + eve + "')");
    Map<String, Object> report =
        Events.usageReported(eve, "transcoding_minutes", "12.50", at("02:00"));
    try {
      assertEquals(1, api.postEvents(platformToken, List.of(report)).get("accepted").asInt());
    } finally {
      sql(noEve.formatted("DROP"));
    }

    JsonNode letter = deadLetters("").get(0);
    assertEquals("usage.reported", letter.get("event_type").asText());
    assertEquals(report.get("id"), letter.at("/event/id").asText());
    assertEquals(eve, letter.at("/event/usage/user_id").asText());
    assertEquals("transcoding_minutes", letter.at("/event/usage/meter").asText());
    assertEquals("12.5", letter.at("/event/usage/quantity").asText());
    assertTrue(letter.get("reason").asText().contains("no_eve"), letter.toString());
    String replay = "/api/admin/dead-letters/" + letter.get("id").asText() + "/replay";
    api.http.post(replay, api.adminToken, null).expect(200);
    api.http.post(replay, api.adminToken, null).expect(200);

    assertEquals(
        "1 12.5",
        text(
            "SELECT count(*) || ' ' || sum(quantity) FROM billing_usage_reports"
                + " WHERE user_id = '"
                + eve
                + "'"),
        "stored once, with its exact quantity");
  }

  private JsonNode usage(String user) {
    return api.usage(api.token(user, "user"), "?from=2026-03-10&to=2026-03-11").expect(200);
  }

  private JsonNode deadLetters(String query) {
    return api.http
        .get("/api/admin/dead-letters" + query, api.adminToken)
        .expect(200)
        .get("dead_letters");
  }
}
