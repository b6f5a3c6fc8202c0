package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Session events posted over HTTP, metered by the packaged plugin, rated by calculate-usage
 * fired through Quartz, read back over HTTP. Default rates: 0.05 per core-hour, 0.01 per
 * GB-hour. The host's clock stands at 2026-03-10 12:00 UTC. Each test rates what it posted once
 * the plugin's lag is 0: on the Kafka journal ({@link SessionMeteringOnKafkaE2ETest}) a 202 does
 * not wait for the plugin to have stored the batch.
 */
class SessionMeteringE2ETest extends BillingHostTestBase {

  @Test
  void healthShowsTheJournalsIndexOnKafkaOnly_onPostgresTheJournalIsItsOwnIndex() {
    JsonNode health = api.http.get("/api/health", null).expect(200);

    assertEquals(kafkaJournal() != null, health.has("journal"), health.toString());
  }

  @Test
  void seedPricingExample_twoCoresAndFourGbForTenHours_costs1_40() {
    String user = newUser("alice");
    String token = api.token(user, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(user, at("00:30")),
            Events.sessionCreated("s-" + user, user, at("01:00"), "2", "4", "0"),
            Events.sessionTerminated("s-" + user, user, at("11:00"))));

    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals(user, usage.get("user_id").asText());
    assertEquals("USD", usage.get("currency").asText());
    assertEquals(new BigDecimal("2E+1"), quantity(line(usage, "cpu")));
    assertEquals("core-hours", line(usage, "cpu").get("unit").asText());
    assertEquals("1.00", amount(line(usage, "cpu"), "total_cost"));
    assertEquals(new BigDecimal("4E+1"), quantity(line(usage, "memory")));
    assertEquals("gb-hours", line(usage, "memory").get("unit").asText());
    assertEquals("0.40", amount(line(usage, "memory"), "total_cost"));
    assertEquals("1.40", amount(usage, "total_cost"));

    JsonNode currentMonth = api.usage(token, "").expect(200);
    assertEquals("2026-03-01T00:00:00Z", currentMonth.get("period_start").asText());
    assertEquals(
        "1.40", amount(currentMonth, "total_cost"), "the default period is the current month");
  }

  @Test
  void heartbeatsLateAndOutOfOrder_andATerminateBeforeALateHeartbeat_billToTheTerminate() {
    String user = newUser("bob");
    String token = api.token(user, "user");
    String session = "s-" + user;
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(session, user, at("01:00"), "1", "1", "0"),
            Events.heartbeat(session, user, at("03:00")),
            Events.heartbeat(session, user, at("02:00"))));
    api.postEvents(platformToken, List.of(Events.sessionTerminated(session, user, at("04:00"))));
    api.postEvents(platformToken, List.of(Events.heartbeat(session, user, at("03:30"))));

    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals(new BigDecimal("3"), quantity(line(usage, "cpu")), "01:00 to 04:00 on one core");
    assertEquals("0.15", amount(line(usage, "cpu"), "total_cost"));
  }

  @Test
  void sessionWhoseHeartbeatsStop_isClosedAtItsLastHeartbeat() {
    String user = newUser("carol");
    String token = api.token(user, "user");
    String session = "s-" + user;
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(session, user, at("01:00"), "3", "0", "0"),
            Events.heartbeat(session, user, at("04:00")),
            Events.heartbeat(session, user, at("05:20"))));

    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals(new BigDecimal("13"), quantity(line(usage, "cpu")), "3 cores from 01:00 to 05:20");
    assertEquals("0.65", amount(line(usage, "cpu"), "total_cost"));
  }

  @Test
  void heartbeatWithNewSizes_billsTheNewSizesFromItsInstant() {
    String user = newUser("dave");
    String token = api.token(user, "user");
    String session = "s-" + user;
    Map<String, Object> resize = Events.sessionCreated(session, user, at("02:30"), "4", "8", "0");
    resize.put("type", "session.heartbeat");
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(session, user, at("01:00"), "2", "4", "0"),
            resize,
            Events.sessionTerminated(session, user, at("04:00"))));

    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    // 2 cores x 1.5 h + 4 cores x 1.5 h = 9 core-hours; 4 GB x 1.5 h + 8 GB x 1.5 h = 18 GB-hours
    assertEquals(new BigDecimal("9"), quantity(line(usage, "cpu")));
    assertEquals("0.45", amount(line(usage, "cpu"), "total_cost"));
    assertEquals(new BigDecimal("18"), quantity(line(usage, "memory")));
    assertEquals("0.18", amount(line(usage, "memory"), "total_cost"));
  }

  @Test
  void aRedeliveredBatch_andARerunJob_changeNothing() {
    String user = newUser("erin");
    String token = api.token(user, "user");
    List<Map<String, Object>> batch =
        List.of(
            Events.sessionCreated("s-" + user, user, at("06:00"), "2", "2", "0"),
            Events.sessionTerminated("s-" + user, user, at("08:00")));
    assertEquals(2, api.postEvents(platformToken, batch).get("accepted").asInt());
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    JsonNode again = api.postEvents(platformToken, batch);
    assertEquals(2, again.get("duplicates").asInt(), again.toString());
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals(new BigDecimal("4"), quantity(line(usage, "cpu")));
    assertEquals("0.24", amount(usage, "total_cost"), "4 core-hours and 4 GB-hours, once");
  }

  @Test
  void jobStatus_showsCalculateUsageWithItsCronLastRunAndNextFireTime() {
    api.runJob("calculate-usage");
    JsonNode jobs = api.http.get("/api/plugins/billing/jobs/status", api.adminToken).expect(200);
    JsonNode calculate = null;
    for (JsonNode job : jobs.get("jobs")) {
      if ("calculate-usage".equals(job.get("name").asText())) {
        calculate = job;
      }
    }
    if (calculate == null) {
      throw new AssertionError("calculate-usage missing from " + jobs);
    }
    assertEquals("0 * * * *", calculate.get("cron").asText());
    assertEquals("succeeded", calculate.get("last_run").get("outcome").asText());
    assertEquals(
        0,
        Instant.parse(calculate.get("next_fire_time").asText()).getEpochSecond() % 3600,
        "the next run is on the hour");
  }
}
