package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/platform/admission} under load: two rounds of 5,000 requests from four
 * concurrent clients for 1,000 users on the free plan (every other one with 2 open sessions, so
 * refused), each answer checked; the first round runs on cold JVMs. Throughput and p50/p99 latency
 * of each round are logged, never asserted (see docs/benchmark.md, whose figures are of rounds of
 * 20,000: {@code -Dadmission.load.requests=20000}; the suite's rounds are a quarter of that, to
 * keep it within its 12 minutes).
 */
class AdmissionLoadTest extends BillingHostTestBase {
  private static final Logger log = LoggerFactory.getLogger(AdmissionLoadTest.class);
  private static final int USERS = 1_000;

  /** Per round; even, so that the odd users (refused) are half of them. */
  private static final int REQUESTS = Integer.getInteger("admission.load.requests", 5_000);

  private static final int CLIENTS = 4;

  @Test
  void twoRoundsOfAdmissionsOverHttp_refuseExactlyTheUsersAtTheirLimit() throws Exception {
    String run = newUser("admit");
    Instant at = at("11:55"); // heartbeats within the timeout of the clock (12:00)
    List<Map<String, Object>> events = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      String user = run + "-u" + u;
      for (int s = 0; s < 1 + u % 2; s++) {
        events.add(Events.sessionCreated(user + "-s" + s, user, at, "0.5", "1", "0"));
      }
    }
    for (int from = 0; from < events.size(); from += 1_000) {
      api.postEvents(platformToken, events.subList(from, Math.min(from + 1_000, events.size())));
    }
    api.awaitCaughtUp("billing");

    // the first round warms the JVMs up (host and clients), as in AdmissionBenchmark; both logged
    for (String round : List.of("cold", "warm")) {
      timeOneRound(run, round);
    }
  }

  private void timeOneRound(String run, String round) throws Exception {
    long[] latencies = new long[REQUESTS];
    long began = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Integer>> refusedByClient = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        refusedByClient.add(
            clients.submit(
                () -> {
                  int refused = 0;
                  for (int i = client; i < REQUESTS; i += CLIENTS) {
                    long t0 = System.nanoTime();
                    boolean allowed =
                        api.admission(platformToken, run + "-u" + i % USERS)
                            .get("allowed")
                            .asBoolean();
                    latencies[i] = System.nanoTime() - t0;
                    refused += allowed ? 0 : 1;
                  }
                  return refused;
                }));
      }
      int refused = 0;
      for (Future<Integer> future : refusedByClient) {
        refused += future.get();
      }
      assertEquals(REQUESTS / 2, refused, "the odd users, with 2 sessions each");
    } finally {
      clients.shutdown();
    }
    long nanos = System.nanoTime() - began;
    Arrays.sort(latencies);
    log.info(
        "{}: {} admissions over HTTP from {} clients: {}/s, p50 {} µs, p99 {} µs",
        round,
        REQUESTS,
        CLIENTS,
        REQUESTS * 1_000_000_000L / nanos,
        latencies[REQUESTS / 2] / 1000,
        latencies[REQUESTS * 99 / 100] / 1000);
  }
}
