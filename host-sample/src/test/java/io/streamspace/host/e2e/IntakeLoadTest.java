package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes 20,000 lifecycle events through HTTP in batches of 1,000 from four concurrent clients
 * and checks that every one is accounted for, to the cent. Throughput is logged, never asserted
 * (the benchmark's intake workload measures it; this test sent 100,000 events until the suite
 * outgrew its 12 minutes, and a fifth of them show as well that none is lost or doubled).
 *
 * <p>100 users × 50 sessions; each session: created (1 core, 2 GB), two heartbeats, terminated
 * two hours later. So each user has 100 core-hours (5.00) and 200 GB-hours (2.00).
 */
class IntakeLoadTest extends BillingHostTestBase {
  private static final Logger log = LoggerFactory.getLogger(IntakeLoadTest.class);
  private static final int USERS = 100;
  private static final int SESSIONS_PER_USER = 50;
  private static final int BATCH = 1_000;
  private static final Instant START = Instant.parse("2026-03-10T06:00:00Z");

  @Test
  void twentyThousandEventsOverHttp_areEveryOneAccountedFor() throws Exception {
    String run = newUser("load");
    // Phases in lifecycle order; within a phase, batches go in parallel.
    List<List<Map<String, Object>>> phases =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int u = 0; u < USERS; u++) {
      String user = run + "-u" + u;
      for (int s = 0; s < SESSIONS_PER_USER; s++) {
        String session = user + "-s" + s;
        Instant start = START.plusSeconds(s);
        phases.get(0).add(Events.sessionCreated(session, user, start, "1", "2", "0"));
        phases.get(1).add(Events.heartbeat(session, user, start.plus(Duration.ofMinutes(60))));
        phases.get(2).add(Events.heartbeat(session, user, start.plus(Duration.ofMinutes(90))));
        phases.get(3).add(Events.sessionTerminated(session, user, start.plus(Duration.ofHours(2))));
      }
    }

    AtomicInteger accepted = new AtomicInteger();
    long began = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      for (List<Map<String, Object>> phase : phases) {
        List<Future<?>> sent = new ArrayList<>();
        for (int from = 0; from < phase.size(); from += BATCH) {
          List<Map<String, Object>> batch =
              phase.subList(from, Math.min(from + BATCH, phase.size()));
          sent.add(
              clients.submit(
                  () ->
                      accepted.addAndGet(
                          api.postEvents(platformToken, batch).get("accepted").asInt())));
        }
        for (Future<?> future : sent) {
          future.get();
        }
      }
    } finally {
      clients.shutdown();
    }
    long millis = Duration.ofNanos(System.nanoTime() - began).toMillis();
    log.info(
        "20,000 events over HTTP in {} ms ({} events/s)",
        millis,
        20_000L * 1000 / Math.max(1, millis));
    assertEquals(20_000, accepted.get());

    // a 202 waits up to 5 s for this node's consumer to apply the batch; on a loaded machine
    // the last batches may still be in the journal: rate once billing has applied every event
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");

    BigDecimal coreHours = BigDecimal.ZERO;
    for (int u = 0; u < USERS; u++) {
      String user = run + "-u" + u;
      JsonNode usage =
          api.usage(api.adminToken, "?from=2026-03-10&to=2026-03-11&user_id=" + user).expect(200);
      assertEquals(new BigDecimal("1E+2"), quantity(line(usage, "cpu")), user);
      assertEquals("5.00", amount(line(usage, "cpu"), "total_cost"), user);
      assertEquals("2.00", amount(line(usage, "memory"), "total_cost"), user);
      coreHours = coreHours.add(quantity(line(usage, "cpu")));
    }
    assertEquals(0, new BigDecimal("10000").compareTo(coreHours), "5,000 sessions x 2 core-hours");
  }
}
