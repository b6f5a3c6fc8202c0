package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An invoice line explained down to the events the platform posted, through the real host: the
 * events go through intake into the host's journal, the packaged plugin rates them, an admin
 * invoices them, and {@code GET /invoices/{id}/lines/{n}/explain} traces the cpu line to the
 * journaled event ids by the plugin-api's {@code JournalEvents}, which the host answers from its
 * journal ({@link LineExplanationOnKafkaE2ETest}: the Kafka journal's, alike). 2 cores from 01:00 to 03:00 on March 2 (a heartbeat at 01:30): two hourly records of
 * 7,200 core-seconds, 0.10 each, 4 core-hours × 0.05 = 0.20.
 */
class LineExplanationE2ETest extends BillingHostTestBase {

  @Test
  void aUsageLineIsExplainedDownToTheJournaledEventsThePlatformPosted() {
    String ann = newUser("ann");
    String session = "s-" + ann;
    Map<String, Object> created =
        Events.sessionCreated(session, ann, Instant.parse("2026-03-02T01:00:00Z"), "2", "0", "0");
    Map<String, Object> heartbeat =
        Events.heartbeat(session, ann, Instant.parse("2026-03-02T01:30:00Z"));
    Map<String, Object> terminated =
        Events.sessionTerminated(session, ann, Instant.parse("2026-03-02T03:00:00Z"));
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, Instant.parse("2026-03-01T00:30:00Z")),
            created,
            heartbeat,
            terminated));
    api.awaitCaughtUp("billing");
    awaitJournaled(4); // the Kafka journal's index is a consumer of its own
    api.runJob("calculate-usage");
    JsonNode invoice =
        api.http
            .post(
                "/api/plugins/billing/admin/invoices",
                api.adminToken,
                HostClient.json(
                    Map.of(
                        "user_id",
                        ann,
                        "period_start",
                        "2026-03-01",
                        "period_end",
                        "2026-03-03",
                        "reason",
                        "explain test")))
            .expect(201);
    assertEquals("cpu", invoice.at("/lines/0/resource_type").asText(), invoice.toString());

    JsonNode explained =
        api.http
            .get(
                "/api/plugins/billing/invoices/" + invoice.get("id").asLong() + "/lines/1/explain",
                api.token(ann, "user"))
            .expect(200);

    assertEquals(0, new BigDecimal("0.20").compareTo(explained.at("/line/amount").decimalValue()));
    assertTrue(explained.at("/sums/matches_line").asBoolean(), explained.toString());
    assertTrue(explained.get("events_retained").asBoolean(), explained.toString());
    List<String> records = new ArrayList<>();
    for (JsonNode r : explained.get("records")) {
      List<String> events = new ArrayList<>();
      r.get("events").forEach(e -> events.add(e.get("type").asText() + " " + e.get("id").asText()));
      records.add(
          r.get("session_id").asText()
              + " "
              + r.get("from").asText()
              + " "
              + r.get("amount").decimalValue().toPlainString()
              + " "
              + r.get("subtotal").decimalValue().toPlainString()
              + " "
              + events);
    }
    assertEquals(
        List.of(
            session
                + " 2026-03-02T01:00:00Z 0.10 0.10 "
                + List.of(
                    "session.created " + created.get("id"),
                    "session.heartbeat " + heartbeat.get("id")),
            session
                + " 2026-03-02T02:00:00Z 0.10 0.20 "
                + List.of(
                    "session.heartbeat " + heartbeat.get("id"),
                    "session.terminated " + terminated.get("id"))),
        records);
  }
}
