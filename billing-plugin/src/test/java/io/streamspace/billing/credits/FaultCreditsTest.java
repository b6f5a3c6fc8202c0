package io.streamspace.billing.credits;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestJournal;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Automatic fault credits ({@link FaultCredits}), at the default USD rates (0.05 a core-hour,
 * 0.01 a GB-hour): 2 cores and 4 GB cost 0.14 an hour, 4 cores and 8 GB 0.28.
 */
class FaultCreditsTest {

  private BillingHarness billing;
  private final TestJournal journal = new TestJournal();
  private final Set<String> journaled = new HashSet<>();

  private void start(String config) {
    billing = new BillingHarness(at("2026-03-05T09:00:00Z"), config);
    billing.context.setJournal(journal);
    billing.userCreated("ann", Map.of());
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private enum Hook {
    CREATED,
    HEARTBEAT,
    TERMINATED
  }

  /** Delivers the event to its hook and keeps it in the journal (once, as the host does). */
  private void deliver(
      Hook hook, String id, String at, String session, ResourceSize size, String reason) {
    SessionEvent event = new SessionEvent(id, at(at), session, "ann", size, null, reason);
    if (journaled.add(id)) {
      journal.add(id, "session." + hook.name().toLowerCase(), event.occurredAt(), session);
    }
    switch (hook) {
      case CREATED -> billing.billing.onSessionCreated(billing.context, event);
      case HEARTBEAT -> billing.billing.onSessionHeartbeat(billing.context, event);
      case TERMINATED -> billing.billing.onSessionTerminated(billing.context, event);
    }
  }

  /** A session of ann from {@code from} to {@code to} at that size, ended for {@code reason}. */
  private void session(String id, String from, String to, ResourceSize size, String reason) {
    deliver(Hook.CREATED, id + "-c", from, id, size, null);
    deliver(Hook.TERMINATED, id + "-t", to, id, null, reason);
    billing.flush();
  }

  private static List<List<Object>> credits() {
    return rows(
        "SELECT kind, amount, remaining, reason, granted_by FROM billing_credits ORDER BY id");
  }

  private List<String> creditsPublished() {
    return billing.context.published().stream()
        .filter(p -> p.startsWith("billing.credit.granted"))
        .toList();
  }

  @Test
  void aNodeLostTerminateDeliveredFourTimesInThreeBatchesIsCreditedOnceItsLastFifteenMinutes() {
    start("{}");
    // 2 cores and 4 GB from 10:00, 4 cores and 8 GB from 10:55, lost at 11:00: its last 15
    // minutes are 600 s at 0.14 an hour and 300 s at 0.28, (84 + 84) / 3,600 = 0.0466… → 0.05
    deliver(Hook.CREATED, "c1", "2026-03-05T10:00:00Z", "s1", size("2", "4", "0"), null);
    deliver(Hook.HEARTBEAT, "h1", "2026-03-05T10:55:00Z", "s1", size("4", "8", "0"), null);
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    billing.flush();
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    billing.flush();
    deliver(Hook.HEARTBEAT, "h1", "2026-03-05T10:55:00Z", "s1", size("4", "8", "0"), null);
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    billing.flush();
    // a user's own end, an idle one, one that tells no reason and one of the platform's own
    // words: none is a fault the config lists
    session("s2", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", size("2", "4", "0"), "user");
    session("s3", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", size("2", "4", "0"), "idle");
    session("s4", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", size("2", "4", "0"), null);
    session(
        "s5", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", size("2", "4", "0"), "gpu_melted");

    String reason =
        "platform fault, auto-credited: session s1 ended by node_lost, its last 15 minutes";
    assertEquals(
        List.of(
            List.of("fault", new BigDecimal("0.05"), new BigDecimal("0.05"), reason, "platform")),
        credits());
    assertEquals(
        List.of(
            List.of(
                "s1", "t1", "node_lost", new BigDecimal("0.05"), new BigDecimal("0.05"), false)),
        rows(
            "SELECT session_id, event_id, reason, cost, credited, capped"
                + " FROM billing_fault_credits"));
    assertEquals(
        List.of(
            List.of("s1", "node_lost"),
            List.of("s2", "user"),
            List.of("s3", "idle"),
            List.of("s5", "gpu_melted")),
        rows(
            "SELECT session_id, terminate_reason FROM billing_sessions"
                + " WHERE terminate_reason IS NOT NULL ORDER BY session_id"),
        "every reason is kept as the platform told it");
    List<String> published = creditsPublished();
    assertEquals(1, published.size(), published.toString());
    assertTrue(published.get(0).contains("\"kind\":\"fault\""), published.get(0));
    assertTrue(published.get(0).contains("\"amount\":0.05"), published.get(0));
    assertEquals(
        List.of(List.of("platform", "session.terminated t1 of session s1: node_lost")),
        rows("SELECT actor_type, reason FROM billing_audit_entries WHERE kind = 'credit.granted'"),
        "the credit's audit entry names the terminate that granted it");
    JsonNode statement = billing.call(HttpMethod.GET, "/credits?org_id=ann", admin("root")).body();
    assertEquals("fault", statement.at("/credits/0/kind").asText(), statement.toString());
    assertEquals("0.05", statement.get("balance").decimalValue().toPlainString());
  }

  @Test
  void theWholeSessionPolicyCreditsAllOfItAndTheCreditLineIsExplainedToTheTerminateEvent() {
    start("{\"faultCreditPolicy\": \"whole_session\"}");
    // 90 minutes at 0.14 an hour: 0.21, what its cpu (3 core-hours, 0.15) and memory (6 GB-hours,
    // 0.06) lines bill, so March's invoice comes to 0
    session(
        "s1",
        "2026-03-05T10:00:00Z",
        "2026-03-05T11:30:00Z",
        size("2", "4", "0"),
        "platform_fault");
    assertEquals(
        List.of(
            List.of(
                "fault",
                new BigDecimal("0.21"),
                new BigDecimal("0.21"),
                "platform fault, auto-credited: session s1 ended by platform_fault, the whole"
                    + " session",
                "platform")),
        credits());

    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    List<List<Object>> invoice =
        rows("SELECT id, subtotal, total FROM billing_invoices WHERE user_id = 'ann'");
    assertEquals(1, invoice.size(), invoice.toString());
    long id = (Long) invoice.get(0).get(0);
    assertEquals(0, new BigDecimal("0.21").compareTo((BigDecimal) invoice.get(0).get(1)));
    assertEquals(0, BigDecimal.ZERO.compareTo((BigDecimal) invoice.get(0).get(2)));
    List<List<Object>> creditLines =
        rows(
            "SELECT line_no, description, amount FROM billing_invoice_lines"
                + " WHERE invoice_id = ? AND kind = 'credit'",
            id);
    assertEquals(1, creditLines.size(), creditLines.toString());
    assertEquals(new BigDecimal("-0.21"), creditLines.get(0).get(2));

    Answer explained =
        billing.call(
            HttpMethod.GET,
            "/invoices/" + id + "/lines/" + creditLines.get(0).get(0) + "/explain?org_id=ann",
            admin("root"));
    assertEquals(200, explained.status(), explained.toString());
    JsonNode record = explained.body().at("/records/0");
    assertEquals("credit_application", record.get("source").asText(), record.toString());
    assertEquals("s1", record.get("session_id").asText(), record.toString());
    assertEquals("2026-03-05T10:00:00Z", record.get("from").asText());
    assertEquals("2026-03-05T11:30:00Z", record.get("to").asText());
    assertTrue(record.get("detail").asText().contains("terminate event s1-t"), record.toString());
    List<String> events = record.get("events").findValuesAsText("id");
    assertEquals(List.of("s1-c", "s1-t"), events, record.toString());
    assertEquals("session.terminated", record.at("/events/1/type").asText());
  }

  @Test
  void theCapCutsTheSecondCreditToWhatIsLeftAndGrantsNoThird_andTheDashboardSaysWhatFaultsCost() {
    start("{\"faultCreditCap\": {\"USD\": 0.10}}");
    // each lost at 11:00 after an hour at 4 cores and 8 GB: 15 minutes at 0.28 an hour, 0.07
    session("s1", "2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z", size("4", "8", "0"), "node_lost");
    session("s2", "2026-03-06T10:00:00Z", "2026-03-06T11:00:00Z", size("4", "8", "0"), "node_lost");
    session(
        "s3",
        "2026-03-07T10:00:00Z",
        "2026-03-07T11:00:00Z",
        size("4", "8", "0"),
        "platform_fault");

    String capped = "; capped at USD 0.10 a period";
    assertEquals(
        List.of(
            List.of(
                "fault",
                new BigDecimal("0.07"),
                new BigDecimal("0.07"),
                "platform fault, auto-credited: session s1 ended by node_lost, its last 15 minutes",
                "platform"),
            List.of(
                "fault",
                new BigDecimal("0.03"),
                new BigDecimal("0.03"),
                "platform fault, auto-credited: session s2 ended by node_lost, its last 15 minutes"
                    + capped,
                "platform")),
        credits());
    assertEquals(
        List.of(
            List.of("s1", new BigDecimal("0.07"), new BigDecimal("0.07"), false),
            List.of("s2", new BigDecimal("0.07"), new BigDecimal("0.03"), true),
            List.of("s3", new BigDecimal("0.07"), new BigDecimal("0.00"), true)),
        rows(
            "SELECT session_id, cost, credited, capped FROM billing_fault_credits"
                + " ORDER BY session_id"));
    assertEquals(2, creditsPublished().size(), "no credit, no event: " + creditsPublished());

    billing.clock.set(at("2026-03-08T00:00:00Z"));
    JsonNode board =
        billing.call(HttpMethod.GET, "/admin/dashboard?months=1", admin("root")).body();
    assertEquals(
        BillingHarness.json(
            """
            [{"period_start":"2026-03-01T00:00:00Z","reason":"node_lost","currency":"USD",
              "sessions":2,"cost":0.14,"credited":0.10,"capped":1},
             {"period_start":"2026-03-01T00:00:00Z","reason":"platform_fault","currency":"USD",
              "sessions":1,"cost":0.07,"credited":0.00,"capped":1}]"""),
        board.get("fault_credits"));
  }

  /**
   * Idle cpu at half: 8 cores and 8 GB from 10:00, idle from 10:45, lost at 11:00. Its last 15
   * minutes are billed cpu 8 × 900 s at 0.025 a core-hour (0.05) and memory 8 × 900 s at 0.01
   * (0.02): 0.07 credited, not the 0.12 of those minutes at the full price.
   */
  @Test
  void aSessionIdleInItsLastFifteenMinutesIsCreditedWhatItsIdleTimeIsBilled() {
    start("{\"activityRates\": {\"idle\": {\"cpu_cores\": 0.5}}}");
    deliver(Hook.CREATED, "c1", "2026-03-05T10:00:00Z", "s1", size("8", "8", "0"), null);
    billing.billing.onSessionHeartbeat(
        billing.context, billing.activity("i1", "2026-03-05T10:45:00Z", "s1", "ann", "idle"));
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    billing.flush();

    assertEquals(
        List.of(List.of(new BigDecimal("0.07"), new BigDecimal("0.07"))),
        rows("SELECT cost, credited FROM billing_fault_credits"));
    billing.calculateUsageAt("2026-03-05T12:00:00Z");
    assertEquals(
        List.of(List.of(new BigDecimal("7200.000000"), new BigDecimal("0.025"))),
        rows(
            "SELECT unit_seconds, unit_price FROM billing_usage_records"
                + " WHERE activity = 'idle'"),
        "rating bills the same 15 idle minutes, 8 cores at half price: 0.05 of the 0.07");
  }

  /**
   * Idle cpu at half, hibernation after 15 idle minutes: 24 cores and 24 GB from 10:00, idle from
   * 10:35, hibernated by check-balances at 10:50, lost at 11:00. Of its last 15 minutes, 10:45 to
   * 10:50 are billed idle, cpu 24 × 300 s at 0.025 a core-hour (0.05) and memory 24 × 300 s at
   * 0.01 (0.02); the 10 hibernated minutes nothing: 0.07 credited, not the 0.36 of those minutes
   * at the full price.
   */
  @Test
  void aSessionHibernatedInItsLastFifteenMinutesIsCreditedNothingForItsHibernatedTime() {
    start(
        "{\"activityRates\": {\"idle\": {\"cpu_cores\": 0.5}},"
            + " \"hibernateAfterIdleMinutes\": 15}");
    deliver(Hook.CREATED, "c1", "2026-03-05T10:00:00Z", "s1", size("24", "24", "0"), null);
    billing.billing.onSessionHeartbeat(
        billing.context, billing.activity("i1", "2026-03-05T10:35:00Z", "s1", "ann", "idle"));
    deliver(Hook.HEARTBEAT, "h1", "2026-03-05T10:49:00Z", "s1", null, null);
    billing.flush();
    billing.runAt("check-balances", "2026-03-05T10:50:00Z");
    deliver(Hook.TERMINATED, "t1", "2026-03-05T11:00:00Z", "s1", null, "node_lost");
    billing.flush();

    assertEquals(
        List.of(List.of("2026-03-05T10:50:00Z")),
        rows(
            "SELECT to_char(hibernated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                + " FROM billing_session_hibernations"));
    assertEquals(
        List.of(List.of(new BigDecimal("0.07"), new BigDecimal("0.07"))),
        rows("SELECT cost, credited FROM billing_fault_credits"));
  }
}
