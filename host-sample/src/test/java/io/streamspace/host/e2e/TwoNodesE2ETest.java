package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts on one database, each with the packaged billing plugin, in one JVM: one journal, one
 * consumer of it at a time, and events billed once whichever node they reach.
 */
class TwoNodesE2ETest {

  /**
   * docs/operator-guide.md, "Two nodes, or more": a lease of 10 s, and a standby that looks every
   * second.
   */
  private static final Duration TAKEOVER = Duration.ofSeconds(12);

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private String dbUrl;

  @BeforeEach
  void freshDatabase() {
    dbUrl = MigratedDatabases.freshDatabaseUrl();
  }

  @Test
  void eventsPostedToBothNodes_withRedeliveriesCrossingNodes_areBilledOnce() throws Exception {
    try (BillingHost a = start();
        BillingHost b = start()) {
      String platform = a.api.token("platform", "platform");
      String ann = "ann-" + UUID.randomUUID();
      String bob = "bob-" + UUID.randomUUID();
      String cy = "cy-" + UUID.randomUUID();
      List<Map<String, Object>> annBatch = session(ann, "01:00", "11:00", "2", "4");
      List<Map<String, Object>> bobBatch = session(bob, "02:00", "07:00", "1", "2");
      List<Map<String, Object>> cyBatch = session(cy, "03:00", "04:00", "2", "4");

      assertCounts(4, 0, 0, a.api.postEvents(platform, annBatch));
      assertCounts(4, 0, 0, b.api.postEvents(platform, bobBatch));
      // ann's batch again, on the other node, its terminate under the same id but an hour earlier
      List<Map<String, Object>> annChanged = new ArrayList<>(annBatch);
      Map<String, Object> earlier = new LinkedHashMap<>(annBatch.get(3));
      earlier.put("occurred_at", at("10:00").toString());
      annChanged.set(3, earlier);
      JsonNode annAgain = b.api.postEvents(platform, annChanged);
      assertCounts(0, 3, 1, annAgain);
      assertEquals(3, annAgain.at("/conflicts/0/index").asInt(), annAgain.toString());
      assertCounts(0, 4, 0, a.api.postEvents(platform, bobBatch));
      // cy's batch reaches both nodes at once: one journals it, the other finds duplicates
      CompletableFuture<JsonNode> onA =
          CompletableFuture.supplyAsync(() -> a.api.postEvents(platform, cyBatch));
      JsonNode onB = b.api.postEvents(platform, cyBatch);
      assertEquals(4, onA.get().get("accepted").asInt() + onB.get("accepted").asInt());
      assertEquals(4, onA.get().get("duplicates").asInt() + onB.get("duplicates").asInt());

      b.api.awaitCaughtUp("billing");
      b.api.runJob("calculate-usage");

      // 10 h of 2 cores at 0.05 and 4 GB at 0.01; 5 h of 1 core and 2 GB; 1 h of 2 cores and 4 GB
      assertEquals("1.40", totalCost(a.api, ann));
      assertEquals("0.35", totalCost(b.api, bob));
      assertEquals("0.14", totalCost(a.api, cy));
    }
  }

  /**
   * docs/operator-guide.md, "How far behind reads may be": on a node that does not consume the
   * journal.
   */
  private static final Duration READ_BEHIND = Duration.ofSeconds(5);

  @Test
  void anEventAcceptedByTheStandbyNode_isStoredByThePluginWithinFiveSeconds() throws Exception {
    try (BillingHost a = start();
        BillingHost b = start()) {
      assertEquals(consumerSeenBy(a.api), consumerSeenBy(b.api), "a consumes, b stands by");
      String platform = b.api.token("platform", "platform");
      String eve = "eve-" + UUID.randomUUID();

      assertCounts(4, 0, 0, b.api.postEvents(platform, session(eve, "01:00", "02:00", "1", "2")));
      Await.await(
          READ_BEHIND,
          Duration.ofMillis(50),
          "stored within " + READ_BEHIND + " of the 202",
          () -> lagEvents(b.api) <= 0);
      b.api.runJob("calculate-usage");
      // 1 h of 1 core at 0.05 and 2 GB at 0.01
      assertEquals("0.07", totalCost(b.api, eve));
    }
  }

  @Test
  void whenTheConsumingNodeStops_theOtherTakesOverWithin12Seconds_andBillsWhatReachesIt()
      throws Exception {
    BillingHost a = start();
    try (BillingHost b = start()) {
      String platform = a.api.token("platform", "platform");
      String dora = "dora-" + UUID.randomUUID();
      List<Map<String, Object>> doraBatch = session(dora, "03:00", "05:00", "2", "4");
      String consumer = consumerSeenBy(a.api);
      assertNotNull(consumer, "a, started first, took the lease");
      assertEquals(consumer, consumerSeenBy(b.api), "one consumer, b stands by");
      a.api.postEvents(platform, doraBatch.subList(0, 2));

      a.close();
      String taker =
          Await.await(
              TAKEOVER,
              Duration.ofMillis(50),
              "b consumes within " + TAKEOVER,
              () -> consumerSeenBy(b.api),
              seen -> seen != null && !seen.equals(consumer));
      assertNotEquals(consumer, taker);
      assertCounts(2, 0, 0, b.api.postEvents(platform, doraBatch.subList(2, 4)));
      b.api.awaitCaughtUp("billing");
      b.api.runJob("calculate-usage");

      // 2 h of 2 cores at 0.05 and 4 GB at 0.01: the start consumed on a, the end on b
      assertEquals("0.28", totalCost(b.api, dora));
    } finally {
      a.close();
    }
  }

  private BillingHost start() throws Exception {
    return BillingHost.start(work, dbUrl, clock, Map.of());
  }

  /** A user and a session of theirs from {@code from} to {@code to} (HH:MM on 2026-03-10). */
  private static List<Map<String, Object>> session(
      String user, String from, String to, String cores, String memoryGb) {
    String session = "s-" + user;
    return List.of(
        Events.userCreated(user, at("00:00")),
        Events.sessionCreated(session, user, at(from), cores, memoryGb, "0"),
        Events.heartbeat(session, user, at(from).plusSeconds(60)),
        Events.sessionTerminated(session, user, at(to)));
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-10T" + time + ":00Z");
  }

  private static void assertCounts(int accepted, int duplicates, int conflicts, JsonNode answer) {
    assertEquals(accepted, answer.get("accepted").asInt(), answer.toString());
    assertEquals(duplicates, answer.get("duplicates").asInt(), answer.toString());
    assertEquals(conflicts, answer.get("conflicts").size(), answer.toString());
  }

  private static String totalCost(BillingApi api, String user) {
    JsonNode usage =
        api.usage(api.token(user, "user"), "?from=2026-03-10&to=2026-03-11").expect(200);
    return amount(usage, "total_cost");
  }

  /** Journal entries the billing plugin has not consumed, as health shows them. */
  private static long lagEvents(BillingApi api) {
    for (JsonNode plugin : api.http.get("/api/health", null).expect(200).get("plugins")) {
      if (plugin.get("id").asText().equals("billing")) {
        return plugin.at("/lag/events").asLong();
      }
    }
    throw new AssertionError("no billing plugin in health");
  }

  /** The node that this node's plugin list names as consuming the billing plugin's journal. */
  static String consumerSeenBy(BillingApi api) {
    for (JsonNode plugin :
        api.http.get("/api/admin/plugins", api.adminToken).expect(200).get("plugins")) {
      if (plugin.get("id").asText().equals("billing")) {
        JsonNode consumer = plugin.at("/lag/consumer");
        return consumer.isTextual() ? consumer.asText() : null;
      }
    }
    throw new AssertionError("no billing plugin installed");
  }
}
