package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A spending limit with {@code block} over HTTP with the packaged billing plugin
 * (docs/billing-rules.md, "Spending limits"). The session runs 2 cores and 4 GB from 10:00 at the
 * default USD rates: 2 × 0.05 + 4 × 0.01 = 0.14 USD an hour. The limit is 0.28 USD; calculate-usage
 * at 12:10 rates 10:00-12:00 (2 hours, 0.28 USD), so the limit is reached at 12:10 and the session
 * suspended by the check-quotas run at 12:25 (the default 15-minute notice), not by the one a
 * second before; raising the limit resumes it at once. And the live cost, with the runway to a
 * limit, as server-sent events.
 */
class SpendingLimitE2ETest extends BillingHostTestBase {

  private static final String LIMIT = "/api/plugins/billing/spending-limit";
  private static final String DETAIL =
      "Spending limit of $0.28 reached at 2026-03-10T12:10:00Z (this period's estimated"
          + " cost: $0.28). Raise the limit or make it warn only to resume.";

  @Test
  void aBlockingLimitSuspendsTheSessionAfterTheNotice_andRaisingItResumesIt() {
    String ann = newUser("ann");
    String session = "s-" + ann;
    String annToken = api.token(ann, "user");
    clock.set(at("12:10"));
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, at("09:50")),
            Events.sessionCreated(session, ann, at("10:00"), "2", "4", "0"),
            Events.heartbeat(session, ann, at("12:05"))));
    api.awaitCaughtUp("billing");
    api.http
        .put(LIMIT, annToken, "{\"amount\": 0.28, \"warn_at_percent\": 50, \"action\": \"block\"}")
        .expect(200);

    api.runJob("calculate-usage");
    JsonNode reached = api.http.get(LIMIT, annToken).expect(200);
    assertEquals("reached", reached.get("state").asText());
    assertEquals("0.28", reached.at("/estimate/usage").decimalValue().toPlainString());
    assertEquals("2026-03-10T12:25:00Z", reached.get("blocks_at").asText());

    clock.set(Instant.parse("2026-03-10T12:24:59Z"));
    api.runJob("check-quotas");
    assertTrue(suspendedReason(session).isNull(), "a second before the notice ends");
    clock.set(at("12:25"));
    api.runJob("check-quotas");
    assertEquals(DETAIL, suspendedReason(session).asText());
    JsonNode refused = api.admission(platformToken, ann);
    assertFalse(refused.get("allowed").asBoolean());
    assertEquals("spending_limit_reached", refused.get("code").asText());

    JsonNode raised =
        api.http.put(LIMIT, annToken, "{\"amount\": 1, \"action\": \"block\"}").expect(200);

    assertEquals("ok", raised.get("state").asText());
    assertTrue(suspendedReason(session).isNull(), "resumed at once");
    assertEquals(1, published("billing.spend.warning", ann));
    assertEquals(1, published("billing.spend.reached", ann));
    assertEquals(1, published("billing.account.suspended", ann));
    assertEquals(1, published("billing.account.resumed", ann));
  }

  /**
   * The live cost read as server-sent events by a client over HTTP: ann's session runs 2 cores
   * and 4 GB from 13:00 (0.14 an hour) under a limit of 1.00 that warns. Each event is of the
   * clock's instant when it is made: at 13:30, 0.07 (0.05 of cpu and 0.02 of memory), the limit
   * 23,914 seconds away ((1.00 - 0.07) × 3,600 ÷ 0.14, rounded down); the clock moved to 13:35,
   * 0.08 (0.06 and 0.02); to 13:39, 0.10 (0.07 and 0.03), its heartbeat at 13:30 keeping it
   * running up to 13:40. Three events, a second apart.
   */
  @Test
  void theLiveCostTicksAsServerSentEvents_eachFigureOfTheInstantItIsMadeAt() throws Exception {
    String ann = newUser("ann");
    String session = "s-" + ann;
    String annToken = api.token(ann, "user");
    clock.set(at("13:30"));
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, at("12:50")),
            Events.sessionCreated(session, ann, at("13:00"), "2", "4", "0"),
            Events.heartbeat(session, ann, at("13:30"))));
    api.awaitCaughtUp("billing");
    api.http.put(LIMIT, annToken, "{\"amount\": 1, \"action\": \"warn\"}").expect(200);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(billing.host.url() + "/api/plugins/billing/live"))
            .header("Authorization", "Bearer " + annToken)
            .header("Accept", "text/event-stream")
            .build();

    HttpResponse<InputStream> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertEquals(200, response.statusCode());
      assertEquals("text/event-stream", response.headers().firstValue("Content-Type").get());
      assertEquals("retry: 2000", events.readLine());
      JsonNode first = eventAt(events, at("13:30"));
      clock.set(at("13:35"));
      JsonNode second = eventAt(events, at("13:35"));
      clock.set(at("13:39"));
      JsonNode third = eventAt(events, at("13:39"));

      assertEquals("0.07 0.08 0.10", total(first) + " " + total(second) + " " + total(third));
      assertEquals("0.14", first.get("rate_per_hour").decimalValue().toPlainString());
      assertEquals(session, first.at("/sessions/0/session_id").asText());
      assertEquals("spending_limit", first.at("/runway/what").asText());
      assertEquals(23_914, first.at("/runway/seconds").asLong(), first.toString());
      assertEquals("warn", first.at("/runway/action").asText());
    }
  }

  private static String total(JsonNode live) {
    return live.get("total").decimalValue().toPlainString();
  }

  /**
   * The next event of the instant {@code at}, skipping those made before the clock moved to it
   * (the stream runs on while the test moves the clock).
   */
  private static JsonNode eventAt(BufferedReader events, Instant at) throws IOException {
    for (int read = 0; read < 5; ) {
      String line = events.readLine();
      if (line == null) {
        break;
      }
      if (line.startsWith("data: ")) {
        read++;
        JsonNode event = HostClient.MAPPER.readTree(line.substring("data: ".length()));
        if (Instant.parse(event.get("at").asText()).equals(at)) {
          return event;
        }
      }
    }
    throw new AssertionError("no event of " + at);
  }
}
