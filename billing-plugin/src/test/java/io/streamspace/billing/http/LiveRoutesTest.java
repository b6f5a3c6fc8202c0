package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.LiveStreamsTestPace;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /live} as JSON, at the default rates (0.05 a core-hour, 0.01 a GB-hour): a session
 * of 2 cores and 4 GB costs 0.14 an hour. Its server-sent events for a minute, paced by the test
 * clock; read over HTTP by a client of a real host (SpendingLimitE2ETest); their pace and bounds
 * by EventStreamsTest.
 */
class LiveRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private JsonNode live(String query, Caller caller) {
    BillingHarness.Answer answer = billing.call(HttpMethod.GET, "/live" + query, caller);
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  private static BigDecimal total(JsonNode live) {
    return live.get("total").decimalValue();
  }

  /**
   * john's session runs from 12:00. At 13:30 the ticker says 0.21 (0.15 for 10,800
   * core-seconds, 0.06 for 21,600 GB-seconds) with nothing rated; calculate-usage then rates
   * 12:00-13:00 and the ticker still says 0.21, the rated hour (its records read) and the unrated
   * half hour. At 14:30 (a heartbeat at 14:25) a run rates 13:00-14:00 (only that hour's records
   * read, the earlier ones carried): 0.35 (0.25 and 0.10), as before the run. The session ends at
   * 14:30 and, rated whole, is 0.35; the period's invoice, finalized after its end, charges its cpu
   * and memory lines 0.25 and 0.10.
   */
  @Test
  void onceRated_theTickersFigureAndTheInvoiceLineAgreeToTheCent() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.heartbeat("2026-03-10T13:25:00Z", "s1", "john", null);
    billing.flush();
    billing.clock.set(at("2026-03-10T13:30:00Z"));

    JsonNode unrated = live("", user("john"));
    billing.calculateUsageAt("2026-03-10T13:30:00Z");
    Object firstRunRatedUntil = BillingHarness.value("SELECT rated_until FROM billing_sessions");
    billing.clock.advance(Duration.ofSeconds(1)); // the basis read at 13:30 is a second old
    JsonNode partlyRated = live("", user("john"));
    billing.heartbeat("2026-03-10T14:25:00Z", "s1", "john", null);
    billing.flush();
    billing.clock.set(at("2026-03-10T14:30:00Z"));
    JsonNode beforeTheSecondRun = live("", user("john"));
    billing.calculateUsageAt("2026-03-10T14:30:00Z");
    billing.clock.advance(Duration.ofSeconds(1));
    JsonNode afterTheSecondRun = live("", user("john"));
    billing.terminated("2026-03-10T14:30:00Z", "s1", "john");
    billing.calculateUsageAt("2026-03-10T14:45:00Z");
    JsonNode rated = live("", user("john"));

    assertEquals(new BigDecimal("0.21"), total(unrated), unrated.toString());
    assertEquals(new BigDecimal("0.14"), unrated.get("rate_per_hour").decimalValue());
    assertEquals("s1 john 0.21 0.14 2026-03-10T12:00:00Z", session(unrated.get("sessions").get(0)));
    assertEquals(
        Timestamp.from(at("2026-03-10T13:00:00Z")),
        firstRunRatedUntil,
        "the first run rated the hour up to 13:00");
    assertEquals(
        "0.21 s1 john 0.21 0.14 2026-03-10T12:00:00Z",
        total(partlyRated) + " " + session(partlyRated.get("sessions").get(0)));
    assertEquals(
        "0.35 s1 john 0.35 0.14 2026-03-10T12:00:00Z",
        total(beforeTheSecondRun) + " " + session(beforeTheSecondRun.get("sessions").get(0)));
    assertEquals(
        "0.35 s1 john 0.35 0.14 2026-03-10T12:00:00Z",
        total(afterTheSecondRun) + " " + session(afterTheSecondRun.get("sessions").get(0)));
    assertEquals(new BigDecimal("0.35"), total(rated), rated.toString());
    assertEquals(0, rated.get("sessions").size(), "it ended");
    assertEquals(new BigDecimal("0.00"), rated.get("rate_per_hour").decimalValue());
    assertEquals(
        total(rated),
        billing
            .call(HttpMethod.GET, "/spending-limit", user("john"))
            .body()
            .at("/estimate/total")
            .decimalValue());

    billing.runAt("generate-invoices", "2026-04-01T02:00:00Z");
    assertEquals(
        List.of(List.of("cpu", new BigDecimal("0.25")), List.of("memory", new BigDecimal("0.10"))),
        BillingHarness.rows(
            """
            SELECT l.resource_type, l.amount FROM billing_invoice_lines l
            JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE i.user_id = 'john' AND i.period_start = '2026-03-01T00:00:00Z'
              AND l.amount <> 0
            ORDER BY l.resource_type"""));
  }

  /**
   * The ticker read as server-sent events for a minute of clock time, the stream paced by the
   * test clock (each wait for the next event moves it on a second, at once). At 36.00 a core-hour
   * a core costs a cent a second: kim's session of 1 core runs from 12:00:00, and the client
   * reads from 12:00:01 to 12:01:00, 60 events a second apart. Each is of its second and says
   * what the period has cost up to it: 0.01 at 12:00:01, 0.30 at 12:00:30. A session of 2 cores
   * stored at 12:00:30 (after that event) shows in the next, a second later: 0.33 at 12:00:31,
   * then 3 cents a second, 1.20 at 12:01:00. Both end at 12:01:00; calculate-usage rates the
   * minute once settled (12:15) and the period's invoice charges its cpu line 1.20, the last
   * figure to the cent.
   */
  @Test
  void theTickerReadForAMinute_eachFigureOfItsSecond_theLastOneTheRatedUsageToTheCent()
      throws Exception {
    billing.context.setConfigJson("{\"computeRates\": {\"cpu_per_core_hour\": 36}}");
    billing.billing.onConfigChanged(billing.context);
    billing.userCreated("kim", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "kim", size("1", "0", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-10T12:00:01Z"));
    LiveStreamsTestPace.movingTheClock(billing.billing, billing.clock);
    List<JsonNode> events = new ArrayList<>();
    HttpResponse stream =
        billing
            .context
            .routes()
            .call(
                HttpMethod.GET,
                "/live",
                user("kim"),
                (String) null,
                Map.of("accept", EventStreams.TYPE));

    IOException left =
        assertThrows(
            IOException.class,
            () ->
                stream
                    .bodyWriter()
                    .writeTo(
                        new EventsRead(
                            60,
                            event -> {
                              events.add(event);
                              if (event.get("at").asText().equals("2026-03-10T12:00:30Z")) {
                                billing.created(
                                    "2026-03-10T12:00:30Z", "s2", "kim", size("2", "0", "0"));
                                billing.flush();
                              }
                            })));
    billing.terminated("2026-03-10T12:01:00Z", "s1", "kim");
    billing.terminated("2026-03-10T12:01:00Z", "s2", "kim");
    billing.calculateUsageAt("2026-03-10T12:15:00Z"); // settled: the heartbeat timeout passed
    billing.runAt("generate-invoices", "2026-04-01T02:00:00Z");

    assertEquals("the client read its minute", left.getMessage());
    assertEquals(60, events.size());
    for (int second = 1; second <= 60; second++) {
      JsonNode event = events.get(second - 1);
      Instant itsSecond = at("2026-03-10T12:00:00Z").plusSeconds(second);
      long centsSoFar = second + (second > 30 ? 2L * (second - 30) : 0);
      assertEquals(itsSecond.toString(), event.get("at").asText(), "event " + second);
      assertEquals(
          BigDecimal.valueOf(centsSoFar, 2), total(event), itsSecond + ": " + event.toString());
    }
    BigDecimal last = total(events.get(59));
    assertEquals(new BigDecimal("1.20"), last);
    assertEquals(
        List.of(List.of("cpu", last)),
        BillingHarness.rows(
            """
            SELECT l.resource_type, l.amount FROM billing_invoice_lines l
            JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE i.user_id = 'kim' AND i.period_start = '2026-03-01T00:00:00Z'
              AND l.amount <> 0"""));
  }

  /**
   * A client reading server-sent events: hands each event's data, parsed, to {@code onEvent},
   * and goes away (its flush fails, as a write to a closed connection does) once it has read
   * {@code wanted}.
   */
  private static final class EventsRead extends ByteArrayOutputStream {

    private final int wanted;
    private final Consumer<JsonNode> onEvent;
    private int read;
    private int parsedUpTo;

    EventsRead(int wanted, Consumer<JsonNode> onEvent) {
      this.wanted = wanted;
      this.onEvent = onEvent;
    }

    @Override
    public void flush() throws IOException {
      String text = toString(StandardCharsets.UTF_8);
      for (int end = text.indexOf("\n\n", parsedUpTo); end >= 0; ) {
        for (String line : text.substring(parsedUpTo, end).split("\n")) {
          if (line.startsWith("data: ")) {
            read++;
            onEvent.accept(BillingHarness.json(line.substring("data: ".length())));
          }
        }
        parsedUpTo = end + 2;
        end = text.indexOf("\n\n", parsedUpTo);
      }
      if (read >= wanted) {
        throw new IOException("the client read its minute");
      }
    }
  }

  /**
   * Under acme, mia (a member) runs 1 core and 2 GB from 12:00, adam (an admin) 2 cores and 4 GB
   * from 13:00: at 14:00 mia's two hours cost 0.14 and adam's hour 0.14, 0.28 in all (one cpu
   * line, 0.20, and one memory line, 0.08), at 0.07 + 0.14 = 0.21 an hour. acme holds a prepaid
   * balance of 1.00 from the ledger: 0.72 is left once the 0.28 is paid, a runway of 0.72 ÷ 0.21
   * hours, 12,342 s (12,342.857 rounded down). The owner and the admin see both and the total;
   * mia sees her own session only and no organization figure; an outsider is refused; an
   * organization without an account is 404.
   */
  @Test
  void theOwnerAndAdminsSeeEverything_aMemberOnlyTheirOwnSessions() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    running("s-mia", "mia", "2026-03-10T12:00:00Z", size("1", "2", "0"));
    running("s-adam", "adam", "2026-03-10T13:00:00Z", size("2", "4", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-10T14:00:00Z"));
    BillingHarness.Answer granted =
        billing.call(
            HttpMethod.POST,
            "/admin/balance",
            admin("root"),
            "{\"org_id\":\"acme\",\"amount\":1,\"currency\":\"USD\",\"reason\":\"prepaid\"}");
    assertEquals(201, granted.status(), granted.body().toString());

    JsonNode byOwner = live("?org_id=acme", user("olivia"));
    JsonNode byAdmin = live("?org_id=acme", user("adam"));
    JsonNode byMember = live("?org_id=acme", user("mia"));

    assertEquals(new BigDecimal("0.28"), total(byOwner), byOwner.toString());
    assertEquals(new BigDecimal("0.21"), byOwner.get("rate_per_hour").decimalValue());
    assertEquals(new BigDecimal("0.72"), byOwner.get("balance").decimalValue());
    assertEquals(
        "balance 12342", byOwner.at("/runway/what").asText() + " " + byOwner.at("/runway/seconds"));
    assertEquals(
        List.of(
            "s-adam adam 0.14 0.14 2026-03-10T13:00:00Z",
            "s-mia mia 0.14 0.07 2026-03-10T12:00:00Z"),
        sessions(byOwner));
    assertEquals(byOwner, byAdmin);
    assertTrue(byMember.get("total").isNull(), byMember.toString());
    assertTrue(byMember.get("rate_per_hour").isNull());
    assertTrue(byMember.get("runway").isNull());
    assertEquals(List.of("s-mia mia 0.14 0.07 2026-03-10T12:00:00Z"), sessions(byMember));
    assertEquals("USD", byMember.get("currency").asText());
    assertEquals(
        "not_a_member",
        billing
            .call(HttpMethod.GET, "/live?org_id=acme", user("gus"))
            .body()
            .at("/error/code")
            .asText());
    assertEquals(404, billing.call(HttpMethod.GET, "/live?org_id=nowhere", admin("root")).status());
  }

  private void running(String session, String userId, String from, ResourceSize size) {
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            UUID.randomUUID().toString(), Instant.parse(from), session, userId, size, "acme"));
    billing.billing.onSessionHeartbeat(
        billing.context,
        new SessionEvent(
            UUID.randomUUID().toString(),
            at("2026-03-10T13:55:00Z"),
            session,
            userId,
            null,
            "acme"));
  }

  private static List<String> sessions(JsonNode live) {
    List<String> sessions = new ArrayList<>();
    live.get("sessions").forEach(s -> sessions.add(session(s)));
    return sessions;
  }

  /** "session user cost rate since". */
  private static String session(JsonNode s) {
    return String.join(
        " ",
        s.get("session_id").asText(),
        s.get("user_id").asText(),
        s.get("cost_so_far").decimalValue().toPlainString(),
        s.get("rate_per_hour").decimalValue().toPlainString(),
        s.get("since").asText());
  }
}
