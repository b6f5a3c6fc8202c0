package io.streamspace.billing.explain;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.event;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.BillingHarness.Text;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestJournal;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /invoices/{id}/lines/{n}/explain} on a usage line worked out by hand. Usage mode,
 * USD, 0.05 per core-hour, March 2026 invoiced on April 1 01:00. ann runs s1 with 3 cores from
 * 10:00 to 11:30 on March 5 (a heartbeat at 10:45) and s2 with 1 core from 12:00 to 12:30:
 *
 * <ul>
 *   <li>s1 10:00–11:00: 10,800 core-seconds × 0.05 / 3,600 = 0.15; subtotal 0.15
 *   <li>s1 11:00–11:30: 5,400 core-seconds, 0.075 → 0.08; subtotal 0.225 → 0.23
 *   <li>s2 12:00–12:30: 1,800 core-seconds, 0.025 → 0.03; subtotal 0.25
 * </ul>
 *
 * The line: 18,000 core-seconds = 5 core-hours × 0.05 = 0.25, which the last subtotal is; the
 * records each rounded add up to 0.26, one cent of rounding more than the line.
 */
class LineExplanationTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(MARCH));
  private final TestJournal journal = new TestJournal();
  private long march;

  @BeforeEach
  void annsMarch() {
    billing.context.setJournal(journal);
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    created("e1", "2026-03-05T10:00:00Z", "s1", "ann", size("3", "0", "0"));
    heartbeat("e2", "2026-03-05T10:45:00Z", "s1", "ann", size("3", "0", "0"));
    terminated("e3", "2026-03-05T11:30:00Z", "s1", "ann");
    created("e4", "2026-03-05T12:00:00Z", "s2", "ann", size("1", "0", "0"));
    terminated("e5", "2026-03-05T12:30:00Z", "s2", "ann");
    billing.flush();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    march = invoiceId("ann", MARCH);
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private void created(String id, String at, String session, String userId, ResourceSize size) {
    billing.billing.onSessionCreated(billing.context, event(id, at, session, userId, size));
    journal.add(id, "session.created", at(at), session);
  }

  private void heartbeat(String id, String at, String session, String userId, ResourceSize size) {
    billing.billing.onSessionHeartbeat(billing.context, event(id, at, session, userId, size));
    journal.add(id, "session.heartbeat", at(at), session);
  }

  private void terminated(String id, String at, String session, String userId) {
    billing.billing.onSessionTerminated(billing.context, event(id, at, session, userId, null));
    journal.add(id, "session.terminated", at(at), session);
  }

  private Answer explain(String query, Caller caller) {
    return billing.call(HttpMethod.GET, "/invoices/" + march + "/lines/1/explain" + query, caller);
  }

  /** A record as one line: session, slice, unit-seconds, amount, subtotal, event ids. */
  private static List<String> records(JsonNode body) {
    List<String> shown = new ArrayList<>();
    for (JsonNode r : body.get("records")) {
      List<String> events = new ArrayList<>();
      r.get("events").forEach(e -> events.add(e.get("id").asText()));
      shown.add(
          "%d %s %s %s %s %s %s %s %s"
              .formatted(
                  r.get("n").asInt(),
                  r.get("session_id").asText(),
                  r.get("from").asText().substring(11, 16),
                  r.get("to").asText().substring(11, 16),
                  r.get("unit_seconds").decimalValue().toPlainString(),
                  r.get("amount").decimalValue().toPlainString(),
                  r.get("subtotal").decimalValue().toPlainString(),
                  r.get("events_retained").asText(),
                  events));
    }
    return shown;
  }

  @Test
  void aUsageLineIsItsRecordsToTheCentDownToTheEventsThatOpenedSizedAndClosedTheirSessions() {
    assertEquals(List.of("usage cpu usage cpu 5 core-hours 0.05 0.25"), lines(march));

    Answer answer = explain("", user("ann"));

    assertEquals(200, answer.status(), answer.body().toString());
    JsonNode body = answer.body();
    assertEquals("usage", body.at("/line/kind").asText());
    assertEquals("0.25", body.at("/line/amount").decimalValue().toPlainString());
    assertEquals(3, body.get("record_count").asInt());
    assertEquals(
        List.of(
            "1 s1 10:00 11:00 10800 0.15 0.15 true [e1, e2]",
            "2 s1 11:00 11:30 5400 0.08 0.23 true [e2, e3]",
            "3 s2 12:00 12:30 1800 0.03 0.25 true [e4, e5]"),
        records(body));
    JsonNode first = body.get("records").get(0);
    assertEquals("3", first.get("quantity").decimalValue().toPlainString());
    assertEquals("0.05", first.get("unit_price").decimalValue().toPlainString());
    assertEquals("0.01", first.get("rounding_step").decimalValue().toPlainString());
    assertEquals(
        "session.created 2026-03-05T10:00:00Z",
        first.at("/events/0/type").asText() + " " + first.at("/events/0/occurred_at").asText());
    JsonNode sums = body.get("sums");
    assertEquals("0.25", sums.get("total").decimalValue().toPlainString());
    assertTrue(sums.get("matches_line").asBoolean());
    assertEquals("0.26", sums.get("sum_of_rounded_records").decimalValue().toPlainString());
    assertEquals("-0.01", sums.get("rounding_difference").decimalValue().toPlainString());
    assertTrue(
        sums.get("rounding_rule").asText().startsWith("Each amount is rounded half up to $0.01,"),
        "the step written as the page writes money: " + sums.get("rounding_rule").asText());
    assertTrue(body.get("events_retained").asBoolean());
    assertTrue(body.get("events_note").isNull());
    assertTrue(body.get("next_offset").isNull());
  }

  @Test
  void recordsComeInPagesInAStableOrderWhoseSubtotalsCarryOverFromEarlierPages() {
    JsonNode first = explain("?limit=2", user("ann")).body();
    JsonNode second = explain("?limit=2&offset=2", user("ann")).body();

    assertEquals(
        List.of(
            "1 s1 10:00 11:00 10800 0.15 0.15 true [e1, e2]",
            "2 s1 11:00 11:30 5400 0.08 0.23 true [e2, e3]"),
        records(first));
    assertEquals(2, first.get("next_offset").asInt());
    assertEquals(List.of("3 s2 12:00 12:30 1800 0.03 0.25 true [e4, e5]"), records(second));
    assertTrue(second.get("next_offset").isNull());
    assertEquals(3, second.get("record_count").asInt());
    assertEquals(400, explain("?limit=0", user("ann")).status());
    assertEquals(400, explain("?format=xml", user("ann")).status());
  }

  @Test
  void theCsvStreamsEveryRecordOfTheLineWithItsEventIds() {
    Text csv = billing.text("/invoices/" + march + "/lines/1/explain?format=csv", user("ann"));

    assertEquals(200, csv.status());
    assertEquals("text/csv; charset=utf-8", csv.contentType());
    assertEquals(
        "attachment; filename=\"invoice-" + march + "-line-1.csv\"",
        csv.headers().get("Content-Disposition"));
    String[] rows = csv.body().split("\r\n");
    assertEquals(
        "n,source,session_id,member_id,from,to,unit_seconds,quantity,unit,unit_price,amount,"
            + "subtotal,detail,events_retained,event_ids",
        rows[0]);
    assertEquals(
        "3,usage_record,s2,,2026-03-05T12:00:00Z,2026-03-05T12:30:00Z,1800,0.5,core-hours,0.05,"
            + "0.03,0.25,,true,e4 e5",
        rows[3]);
    assertEquals(4, rows.length);
  }

  @Test
  void pastTheJournalsRetentionTheExplanationStopsAtTheUsageRecordsAndSaysSo() {
    journal.forgetBefore(at("2026-03-05T12:00:00Z"));

    JsonNode body = explain("", user("ann")).body();

    assertEquals(
        List.of(
            "1 s1 10:00 11:00 10800 0.15 0.15 false []",
            "2 s1 11:00 11:30 5400 0.08 0.23 false []",
            "3 s2 12:00 12:30 1800 0.03 0.25 true [e4, e5]"),
        records(body));
    assertEquals(false, body.get("events_retained").asBoolean());
    assertTrue(body.get("events_note").asText().contains("retention"), body.toString());
    assertEquals("0.25", body.at("/sums/total").decimalValue().toPlainString());
  }

  @Test
  void onAHostThatKeepsNoJournalTheExplanationStopsAtTheUsageRecordsAndSaysSo() {
    billing.context.setJournal(io.streamspace.plugin.api.event.JournalEvents.none());

    JsonNode body = explain("", user("ann")).body();

    assertEquals(false, body.get("events_retained").asBoolean());
    assertTrue(body.get("events_note").asText().contains("keeps no journal"), body.toString());
    assertEquals(3, body.get("records").size());
  }

  @Test
  void anotherUsersLineIsNotFoundExactlyAsTheirInvoiceIsAndAMissingLineIsNotFound() {
    Answer bobs = explain("", user("bob"));
    Answer bobsInvoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("bob"));

    assertEquals(404, bobs.status());
    assertEquals(bobsInvoice.body(), bobs.body());
    assertEquals(200, explain("", admin("root")).status());
    assertEquals(401, explain("", Caller.ANONYMOUS).status());
    assertEquals(
        404,
        billing
            .call(HttpMethod.GET, "/invoices/" + march + "/lines/2/explain", user("ann"))
            .status());
    assertEquals(
        404,
        billing
            .call(HttpMethod.GET, "/invoices/" + march + "/lines/x/explain", user("ann"))
            .status());
  }

  /**
   * acme's invoice: its Owner and Admins and a platform admin read the explanation; a plain
   * Member and a stranger are answered what {@code GET /invoices/{id}} answers them.
   */
  @Test
  void anOrganizationsLineIsForItsOwnerAndAdminsAndPlatformAdminsOnly() {
    OrgFixtures.created("acme", "olivia", MARCH);
    OrgFixtures.added("acme", "adam", "admin", MARCH);
    OrgFixtures.added("acme", "mia", "member", MARCH);
    OrgFixtures.session(
        billing,
        "acme",
        "t1",
        "mia",
        "2026-03-06T10:00:00Z",
        "2026-03-06T11:00:00Z",
        size("2", "0", "0"));
    billing.flush();
    billing.calculateUsageAt("2026-04-01T02:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T02:00:00Z");
    long acme = invoiceId("acme", MARCH);
    String invoice = "/invoices/" + acme + "?org_id=acme";
    String explain = "/invoices/" + acme + "/lines/1/explain?org_id=acme";

    for (String allowed : List.of("olivia", "adam")) {
      Answer answer = billing.call(HttpMethod.GET, explain, user(allowed));
      assertEquals(200, answer.status(), allowed + ": " + answer.body());
      assertEquals("t1", answer.body().at("/records/0/session_id").asText());
    }
    assertEquals(
        200,
        billing
            .call(HttpMethod.GET, "/invoices/" + acme + "/lines/1/explain", admin("root"))
            .status());
    for (String refused : List.of("mia", "sam")) {
      Answer answer = billing.call(HttpMethod.GET, explain, user(refused));
      Answer theInvoice = billing.call(HttpMethod.GET, invoice, user(refused));
      assertEquals(403, answer.status(), refused);
      assertEquals(theInvoice.status(), answer.status(), refused);
      assertEquals(theInvoice.body(), answer.body(), refused);
    }
  }
}
