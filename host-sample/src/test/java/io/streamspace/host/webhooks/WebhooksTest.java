package io.streamspace.host.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.db.Database;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.host.support.WebhookReceiver;
import io.streamspace.plugin.api.event.EventPublisher;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events plugins publish, delivered to registered endpoints as signed webhooks. */
class WebhooksTest extends HostTestBase {

  private WebhookReceiver receiver;

  /** The receivers listen on 127.0.0.1: the operator allows private destinations. */
  @Override
  protected Map<String, String> secrets() {
    Map<String, String> secrets = new HashMap<>(super.secrets());
    secrets.put(WebhookDestinations.ALLOW_PRIVATE_ENV, "true");
    return secrets;
  }

  @BeforeAll
  void startReceiver() throws Exception {
    receiver = new WebhookReceiver();
  }

  @AfterAll
  void stopReceiver() {
    receiver.close();
  }

  /** Each test's endpoints are deleted after it, so no later test's run sends to them. */
  @AfterEach
  void deleteEndpoints() {
    for (JsonNode endpoint :
        http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints")) {
      http.delete("/api/admin/webhooks/" + endpoint.get("id").asLong(), ADMIN_TOKEN).expect(204);
    }
    receiver.received.clear();
  }

  private JsonNode register(String path, String... types) {
    String body = HostClient.json(Map.of("url", receiver.url(path), "event_types", List.of(types)));
    return http.post("/api/admin/webhooks", ADMIN_TOKEN, body).expect(201);
  }

  private void publish(String type, String payloadJson) {
    plugin.context.events().publish(type, payloadJson);
  }

  private JsonNode deliveries(long endpointId) {
    return http.get("/api/admin/webhooks/" + endpointId + "/deliveries", ADMIN_TOKEN)
        .expect(200)
        .get("deliveries");
  }

  @Test
  void anEventAPluginPublishesReachesTheEndpointSignedWithItsSecret() throws Exception {
    JsonNode created = register("/signed", "rec.invoice.paid");
    String secret = created.get("secret").asText();
    assertTrue(secret.startsWith("whsec_") && secret.length() >= 40, secret);

    publish("rec.invoice.paid", "{\"invoice_id\":\"inv-1\",\"total\":\"12.50\"}");
    // stored before publish returned, waiting for the worker
    JsonNode stored = deliveries(created.get("endpoint").get("id").asLong()).get(0);
    assertEquals("pending", stored.get("status").asText());
    assertEquals(0, stored.get("attempt_count").asInt());
    assertEquals(1, host.webhooks().runOnce());

    WebhookReceiver.Received got = receiver.at("/signed").get(0);
    JsonNode body = HostClient.MAPPER.readTree(got.body());
    assertEquals("rec.invoice.paid", body.get("type").asText());
    assertEquals("rec", body.get("source").asText());
    assertEquals("inv-1", body.get("payload").get("invoice_id").asText());
    assertEquals(NOW.toString(), body.get("published_at").asText());
    assertEquals(body.get("id").asText(), got.eventId());
    // the receiver's check: recompute HMAC-SHA256 of "t.body" and compare
    String[] parts = got.signature().split(",");
    String t = parts[0].substring("t=".length());
    String v1 = parts[1].substring("v1=".length());
    assertEquals(String.valueOf(NOW.getEpochSecond()), t);
    assertEquals(WebhookSignature.hmacHex(secret, t + "." + got.body()), v1);
    String tampered = got.body().replace("12.50", "1250.00");
    assertNotEquals(WebhookSignature.hmacHex(secret, t + "." + tampered), v1);
    assertNotEquals(WebhookSignature.hmacHex("whsec_other", t + "." + got.body()), v1);

    JsonNode delivery = deliveries(created.get("endpoint").get("id").asLong()).get(0);
    assertEquals("delivered", delivery.get("status").asText());
    assertEquals(1, delivery.get("attempt_count").asInt());
    assertEquals(200, delivery.get("attempts").get(0).get("response_code").asInt());
    assertEquals(body.get("id").asText(), delivery.get("event_id").asText());
    // the in-memory list of published events answers as before
    JsonNode events =
        http.get("/api/admin/events?type=rec.invoice.paid", ADMIN_TOKEN).expect(200).get("events");
    assertEquals("inv-1", events.get(events.size() - 1).get("payload").get("invoice_id").asText());
  }

  @Test
  void anEndpointThatAnswersButNeverEndsItsBody_isDelivered_andHoldsTheWorkerNoLonger() {
    long endless = register("/endless", "rec.endless").get("endpoint").get("id").asLong();
    long next = register("/next", "rec.next").get("endpoint").get("id").asLong();
    receiver.answerWithoutEnd("/endless");
    publish("rec.endless", "{}");
    publish("rec.next", "{}");

    // a guard against a hang, not a measure: the body is held for two minutes
    int sent = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> host.webhooks().runOnce());

    assertEquals(2, sent);
    assertEquals("delivered", deliveries(endless).get(0).get("status").asText());
    assertEquals("delivered", deliveries(next).get(0).get("status").asText());
  }

  @Test
  void anEventTypeNoHeaderCanCarry_failsItsAttemptAndTheOtherDeliveriesAreSent() {
    long all = register("/all", "*").get("endpoint").get("id").asLong();
    publish("rec.bad\ntype", "{}");
    publish("rec.good", "{}");

    assertEquals(2, host.webhooks().runOnce());

    JsonNode deliveries = deliveries(all); // newest first
    assertEquals("delivered", deliveries.get(0).get("status").asText());
    JsonNode bad = deliveries.get(1);
    assertEquals("pending", bad.get("status").asText(), bad.toString());
    assertTrue(
        bad.get("last_error").asText().startsWith("the request could not be made"), bad.toString());
    assertEquals(
        List.of("rec.good"), receiver.at("/all").stream().map(r -> type(r.body())).toList());
  }

  @Test
  void aDeliveryAReplayDeliveredStaysDelivered_whateverTheScheduledAttemptUnderWayMet() {
    long endpointId = register("/race", "rec.race").get("endpoint").get("id").asLong();
    publish("rec.race", "{}");
    long deliveryId = deliveries(endpointId).get(0).get("id").asLong();

    try (Database database = Database.external(dbUrl, Map.of())) {
      WebhookDeliveries rows = new WebhookDeliveries(database.dataSource());
      // the replay's answer is recorded first, then the scheduled attempt's, which met a 500
      rows.record(deliveryId, NOW, new WebhookSender.Outcome(200, null), true, null, null);
      rows.record(
          deliveryId,
          NOW,
          new WebhookSender.Outcome(500, "HTTP 500"),
          false,
          "pending",
          NOW.plus(Duration.ofMinutes(1)));
    }

    JsonNode delivery = deliveries(endpointId).get(0);
    assertEquals("delivered", delivery.get("status").asText(), delivery.toString());
    assertTrue(delivery.get("next_attempt_at").isNull(), delivery.toString());
    assertEquals(0, host.webhooks().runOnce(), "nothing is sent again");
  }

  @Test
  void anEndpointGetsOnlyTheTypesItNamesExactlyOrByATrailingWildcard() {
    register("/quota", "rec.quota.*");
    register("/paid", "rec.invoice.paid");

    publish("rec.quota.warning", "{}");
    publish("rec.quota.exceeded", "{}");
    publish("rec.invoice.paid", "{}");
    publish("rec.invoice.paid_late", "{}");
    publish("rec.quotas", "{}");
    assertEquals(3, host.webhooks().runOnce());

    assertEquals( // sent by concurrent senders: in any order
        List.of("rec.quota.exceeded", "rec.quota.warning"),
        receiver.at("/quota").stream().map(r -> type(r.body())).sorted().toList());
    assertEquals(
        List.of("rec.invoice.paid"),
        receiver.at("/paid").stream().map(r -> type(r.body())).toList());
  }

  /** A plugin's publishAll (an invoice run's chunk): one write, each event as if published. */
  @Test
  void eventsPublishedAtOnceAreEachDeliveredToTheEndpointsTheirTypeMatches_inTheirOrder() {
    register("/quota", "rec.quota.*");
    register("/paid", "rec.invoice.paid");

    plugin
        .context
        .events()
        .publishAll(
            List.of(
                new EventPublisher.Event("rec.quota.warning", "{\"n\":1}"),
                new EventPublisher.Event("rec.invoice.paid", "{\"n\":2}"),
                new EventPublisher.Event("rec.quota.exceeded", "{\"n\":3}"),
                new EventPublisher.Event("rec.quotas", "{\"n\":4}")));
    assertEquals(3, host.webhooks().runOnce());

    assertEquals( // sent by concurrent senders: in any order
        List.of("1 rec.quota.warning", "3 rec.quota.exceeded"),
        receiver.at("/quota").stream().map(r -> numbered(r.body())).sorted().toList());
    assertEquals(
        List.of("2 rec.invoice.paid"),
        receiver.at("/paid").stream().map(r -> numbered(r.body())).toList());
    // kept for admins in the order published
    JsonNode events = http.get("/api/admin/events", ADMIN_TOKEN).expect(200).get("events");
    List<JsonNode> last = new ArrayList<>();
    events.forEach(last::add);
    last = last.subList(last.size() - 4, last.size());
    assertEquals(
        List.of(1, 2, 3, 4), last.stream().map(e -> e.get("payload").get("n").asInt()).toList());
  }

  private static String numbered(String body) {
    JsonNode event = tree(body);
    return event.get("payload").get("n").asInt() + " " + event.get("type").asText();
  }

  private static String type(String body) {
    return tree(body).get("type").asText();
  }

  private static JsonNode tree(String body) {
    try {
      return HostClient.MAPPER.readTree(body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDeliveryAnsweredWith500IsTriedAgainAfterTheBackoffAndThenDelivered() {
    long endpointId = register("/flaky", "rec.flaky").get("endpoint").get("id").asLong();
    receiver.answer("/flaky", 500);
    publish("rec.flaky", "{}");
    assertEquals(1, host.webhooks().runOnce());

    JsonNode pending = deliveries(endpointId).get(0);
    assertEquals("pending", pending.get("status").asText());
    assertEquals(500, pending.get("last_response_code").asInt());
    assertEquals("HTTP 500", pending.get("last_error").asText());
    Instant next = Instant.parse(pending.get("next_attempt_at").asText());
    // one minute, plus up to a quarter of it as jitter
    assertFalse(next.isBefore(NOW.plus(Duration.ofMinutes(1))), next.toString());
    assertFalse(next.isAfter(NOW.plus(Duration.ofSeconds(75))), next.toString());

    clock.set(next.minusMillis(1));
    assertEquals(0, host.webhooks().runOnce());
    receiver.answer("/flaky", 204);
    clock.set(next);
    assertEquals(1, host.webhooks().runOnce());

    JsonNode delivered = deliveries(endpointId).get(0);
    assertEquals("delivered", delivered.get("status").asText());
    assertEquals(2, delivered.get("attempt_count").asInt());
    assertEquals(204, delivered.get("attempts").get(0).get("response_code").asInt());
    assertEquals(500, delivered.get("attempts").get(1).get("response_code").asInt());
    assertEquals(2, receiver.at("/flaky").size());
    assertEquals(receiver.at("/flaky").get(0).eventId(), receiver.at("/flaky").get(1).eventId());
  }

  @Test
  void aDeliveryFailingForThreeDaysIsGivenUpAndAReplaySendsItAgain() {
    long endpointId = register("/down", "rec.down").get("endpoint").get("id").asLong();
    receiver.answer("/down", 503);
    publish("rec.down", "{\"n\":1}");

    int runs = 0;
    JsonNode delivery;
    do {
      assertEquals(1, host.webhooks().runOnce());
      runs++;
      delivery = deliveries(endpointId).get(0);
      if (delivery.get("next_attempt_at").isNull()) {
        break;
      }
      clock.set(Instant.parse(delivery.get("next_attempt_at").asText()));
    } while (runs < 100);

    assertEquals("failed", delivery.get("status").asText());
    assertEquals(runs, delivery.get("attempt_count").asInt());
    JsonNode attempts = delivery.get("attempts"); // newest first
    for (int failure = 1; failure < runs; failure++) {
      Instant before = Instant.parse(attempts.get(runs - failure).get("attempted_at").asText());
      Instant after = Instant.parse(attempts.get(runs - failure - 1).get("attempted_at").asText());
      Duration nominal = RetrySchedule.nominalDelay(failure);
      Duration gap = Duration.between(before, after);
      assertTrue(
          gap.compareTo(nominal) >= 0 && gap.compareTo(nominal.multipliedBy(5).dividedBy(4)) <= 0,
          "gap " + failure + ": " + gap);
    }
    Instant last = Instant.parse(delivery.get("last_attempt_at").asText());
    assertTrue(last.isAfter(NOW.plus(Duration.ofDays(2))), last.toString());
    assertFalse(last.isAfter(NOW.plus(Duration.ofDays(3))), last.toString());
    clock.set(NOW.plus(Duration.ofDays(10)));
    assertEquals(0, host.webhooks().runOnce());

    receiver.answer("/down", 200);
    JsonNode replayed =
        http.post(
                "/api/admin/webhooks/"
                    + endpointId
                    + "/deliveries/"
                    + delivery.get("id").asLong()
                    + "/replay",
                ADMIN_TOKEN,
                null)
            .expect(200);
    assertEquals("delivered", replayed.get("status").asText());
    assertEquals(runs + 1, replayed.get("attempt_count").asInt());
    assertTrue(replayed.get("attempts").get(0).get("replay").asBoolean());
    assertEquals(200, replayed.get("attempts").get(0).get("response_code").asInt());
    assertEquals(runs + 1, receiver.at("/down").size());
  }

  @Test
  void theSecretIsShownOnceStoredEncryptedAndNeverListedOrLogged() throws Exception {
    String[] secret = new String[1];
    String[] answers = new String[2];
    List<String> lines =
        LogCapture.during(
            () -> {
              JsonNode created = register("/quiet", "rec.quiet");
              secret[0] = created.get("secret").asText();
              receiver.answer("/quiet", 500);
              publish("rec.quiet", "{}");
              host.webhooks().runOnce();
              long id = created.get("endpoint").get("id").asLong();
              answers[0] = http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).toString();
              answers[1] = deliveries(id).toString();
            });
    assertFalse(answers[0].contains(secret[0]), answers[0]);
    assertFalse(answers[0].contains("secret"), answers[0]);
    assertFalse(answers[1].contains(secret[0]), answers[1]);
    assertTrue(lines.stream().anyMatch(l -> l.contains("failed (HTTP 500)")), lines.toString());
    assertTrue(lines.stream().noneMatch(l -> l.contains(secret[0])), lines.toString());
    // stored encrypted: the table has the sealed value only
    try (Connection connection = DriverManager.getConnection(dbUrl);
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT secret FROM host_webhook_endpoints ORDER BY id DESC LIMIT 1")) {
      rows.next();
      assertTrue(rows.getString(1).startsWith("v1:"), rows.getString(1));
      assertFalse(rows.getString(1).contains(secret[0]));
    }
  }

  @Test
  void withPrivateDestinationsAllowed_anEndpointNamedLocalhostIsRegisteredAndDelivered() {
    String url = receiver.url("/local").replace("127.0.0.1", "localhost");
    String body = HostClient.json(Map.of("url", url, "event_types", List.of("rec.local")));
    long id =
        http.post("/api/admin/webhooks", ADMIN_TOKEN, body)
            .expect(201)
            .get("endpoint")
            .get("id")
            .asLong();
    publish("rec.local", "{}");

    assertEquals(1, host.webhooks().runOnce());

    assertEquals("delivered", deliveries(id).get(0).get("status").asText());
    assertEquals(1, receiver.at("/local").size());
  }

  @Test
  void anEndpointHoldingItsRequest_doesNotHoldTheDeliveriesOfAnother() throws Exception {
    try (WebhookReceiver held = new WebhookReceiver()) {
      held.arrived = new CountDownLatch(1);
      held.gate = new CountDownLatch(1);
      receiver.arrived = new CountDownLatch(1);
      String heldUrl = held.url("/held");
      long heldId =
          http.post(
                  "/api/admin/webhooks",
                  ADMIN_TOKEN,
                  HostClient.json(Map.of("url", heldUrl, "event_types", List.of("rec.held"))))
              .expect(201)
              .get("endpoint")
              .get("id")
              .asLong();
      long quickId = register("/quick", "rec.quick").get("endpoint").get("id").asLong();
      publish("rec.held", "{}"); // due first: one sender at a time would wait for it
      publish("rec.quick", "{}");

      // a guard against a hang, not a measure
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () -> {
            CompletableFuture<Integer> run =
                CompletableFuture.supplyAsync(host.webhooks()::runOnce);
            try {
              assertTrue(held.arrived.await(30, TimeUnit.SECONDS));
              assertTrue(receiver.arrived.await(30, TimeUnit.SECONDS));
              // the quick one arrived while the held one has no attempt recorded yet
              assertEquals(0, deliveries(heldId).get(0).get("attempt_count").asInt());
              assertFalse(run.isDone());
            } finally {
              held.gate.countDown();
            }
            assertEquals(2, run.get(30, TimeUnit.SECONDS));
          });

      assertEquals("delivered", deliveries(heldId).get(0).get("status").asText());
      assertEquals("delivered", deliveries(quickId).get(0).get("status").asText());
    }
  }

  @Test
  void twoNodesNeverSendOneDeliveryTwice() throws Exception {
    register("/slow", "rec.slow");
    publish("rec.slow", "{}");
    receiver.arrived = new CountDownLatch(1);
    receiver.gate = new CountDownLatch(1);
    try (Host other = startNode(new RecordingPlugin())) {
      CompletableFuture<Integer> first = CompletableFuture.supplyAsync(host.webhooks()::runOnce);
      assertTrue(receiver.arrived.await(30, TimeUnit.SECONDS));
      // the delivery is claimed and being sent: the other node finds nothing due
      assertEquals(0, other.webhooks().runOnce());
      receiver.gate.countDown();
      assertEquals(1, first.get(30, TimeUnit.SECONDS));
      assertEquals(0, other.webhooks().runOnce());
    } finally {
      receiver.gate.countDown();
    }
    assertEquals(1, receiver.at("/slow").size());
  }

  @Test
  void aDeliveryPublishedOnOneNodeIsSentByAnotherFromTheDatabase() {
    register("/outbox", "rec.outbox");
    publish("rec.outbox", "{}");
    try (Host other = startNode(new RecordingPlugin())) {
      assertEquals(1, other.webhooks().runOnce());
    }
    assertEquals(0, host.webhooks().runOnce());
    assertEquals(1, receiver.at("/outbox").size());
  }

  @Test
  void twoNodesRunningAtOnceSendEachOfManyDeliveriesOnce() throws Exception {
    register("/many", "rec.many");
    for (int i = 0; i < 30; i++) {
      publish("rec.many", "{\"n\":" + i + "}");
    }
    try (Host other = startNode(new RecordingPlugin())) {
      CompletableFuture<Integer> first = CompletableFuture.supplyAsync(host.webhooks()::runOnce);
      int second = other.webhooks().runOnce();
      assertEquals(30, first.get(60, TimeUnit.SECONDS) + second);
    }
    List<String> ids = receiver.at("/many").stream().map(r -> r.eventId()).toList();
    assertEquals(30, ids.size());
    assertEquals(30, ids.stream().distinct().count());
  }

  @Test
  void aDeletedEndpointIsListedDisabledAndGetsNothingMore() {
    long id = register("/gone", "rec.gone").get("endpoint").get("id").asLong();
    http.delete("/api/admin/webhooks/" + id, ADMIN_TOKEN).expect(204);
    publish("rec.gone", "{}");
    assertEquals(0, host.webhooks().runOnce());
    assertTrue(receiver.at("/gone").isEmpty());
    JsonNode listed = http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints");
    JsonNode gone = listed.get(listed.size() - 1);
    assertEquals(id, gone.get("id").asLong());
    assertEquals(clock.instant().toString(), gone.get("disabled_at").asText());
    assertEquals(404, http.delete("/api/admin/webhooks/999999", ADMIN_TOKEN).status());
    assertEquals(404, http.get("/api/admin/webhooks/999999/deliveries", ADMIN_TOKEN).status());
  }

  @Test
  void onlyAdminsUseTheWebhookRoutes() {
    String user = token("alice", "user");
    String platform = token("platform-1", "platform");
    int before = http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints").size();
    String body = HostClient.json(Map.of("url", receiver.url("/x"), "event_types", List.of("*")));
    for (String token : new String[] {user, platform}) {
      assertEquals(403, http.post("/api/admin/webhooks", token, body).status());
      assertEquals(403, http.get("/api/admin/webhooks", token).status());
      assertEquals(403, http.delete("/api/admin/webhooks/1", token).status());
      assertEquals(403, http.get("/api/admin/webhooks/1/deliveries", token).status());
      assertEquals(
          403, http.post("/api/admin/webhooks/1/deliveries/1/replay", token, null).status());
    }
    assertEquals(401, http.post("/api/admin/webhooks", null, body).status());
    assertEquals(
        before, http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints").size());
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsStored() {
    int before = http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints").size();
    Map<String, String> refusals =
        Map.of(
            "{\"url\":\"ftp://example.com/hook\",\"event_types\":[\"*\"]}", "url",
            "{\"url\":\"not a url\",\"event_types\":[\"*\"]}", "url",
            "{\"event_types\":[\"*\"]}", "url",
            "{\"url\":\"https://example.com/hook\",\"event_types\":[]}", "event_types",
            "{\"url\":\"https://example.com/hook\"}", "event_types",
            "{\"url\":\"https://example.com/hook\",\"event_types\":[\"billing.*.paid\"]}",
                "event_types",
            "{\"url\":\"https://example.com/hook\",\"event_types\":[\"\"]}", "event_types");
    refusals.forEach(
        (body, field) -> {
          JsonNode error =
              http.post("/api/admin/webhooks", ADMIN_TOKEN, body).expect(400).get("error");
          assertEquals("invalid_request", error.get("code").asText(), body);
          assertEquals(field, error.get("field").asText(), body);
        });
    assertEquals(
        before, http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints").size());
  }
}
