package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The admission check for many accounts, seeded through intake: every other account has two
 * open sessions, the free plan's limit, so it is refused. Measured over HTTP ({@code POST
 * /api/platform/admission} from four clients) and in process (the host's admission service, which
 * asks the plugin's AdmissionCheck as the route does); every answer is checked. A first, unmeasured
 * round warms the JVM up. The sessions are ended afterwards (not measured).
 */
public final class AdmissionWorkload implements Workload {

  static final String NAME = "admission";
  private static final String PREFIX = "bench-admission-";
  private static final Duration HTTP_TARGET = Duration.ofMillis(5);
  private static final Duration IN_PROCESS_TARGET = Duration.ofNanos(50_000);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int accounts = context.size().pick(1_000, 100_000);
    int requests = context.size().pick(4_000, 100_000);
    String size = String.format("%,d accounts, %,d requests", accounts, requests);
    BenchHttp http = new BenchHttp(context.baseUrl());
    EventSender sender = new EventSender(http, context.platformToken());
    // account a has sessions 2a (every one) and 2a + 1 (every other one): 1.5 a account
    int batches = accounts * 2 / EventSender.BATCH;
    context
        .progress()
        .line(String.format("%s: seeding %,d accounts through intake", NAME, accounts));
    Instant now = Instant.now();
    sender.send(batches, b -> sessions(b, now, false));
    http.awaitBillingCaughtUp();

    context.progress().line(String.format("%s: %,d requests over HTTP, twice", NAME, requests));
    overHttp(http, context.platformToken(), accounts, requests); // warm-up
    long began = System.nanoTime();
    Latencies overHttp = overHttp(http, context.platformToken(), accounts, requests);
    Duration httpTime = EventSender.since(began);

    context.progress().line(String.format("%s: %,d checks in process, twice", NAME, requests));
    inProcess(context.host(), accounts, requests); // warm-up
    began = System.nanoTime();
    Latencies inProcess = inProcess(context.host(), accounts, requests);
    Duration inProcessTime = EventSender.since(began);

    context.progress().line(NAME + ": ending the sessions (not measured)");
    sender.send(batches, b -> sessions(b, Instant.now(), true));
    http.awaitBillingCaughtUp();
    return List.of(
        row("admission: over HTTP, 4 clients", size, httpTime, requests, overHttp, HTTP_TARGET),
        row(
            "admission: in process (the host's admission service and the plugin's check)",
            size,
            inProcessTime,
            requests,
            inProcess,
            IN_PROCESS_TARGET));
  }

  private static BenchRow row(
      String workload,
      String size,
      Duration time,
      int requests,
      Latencies latencies,
      Duration target) {
    return new BenchRow(
        workload,
        size,
        time,
        requests / IntakeWorkload.seconds(time),
        "requests",
        latencies.p50(),
        latencies.p99(),
        null,
        null,
        "p99 ≤ " + BenchTable.latency(target),
        latencies.p99().compareTo(target) <= 0);
  }

  /** Batch {@code b} of the sessions: created, or terminated when {@code end}. */
  private static List<ObjectNode> sessions(int b, Instant at, boolean end) {
    List<ObjectNode> events = new ArrayList<>(EventSender.BATCH);
    for (int s = b * EventSender.BATCH; s < (b + 1) * EventSender.BATCH; s++) {
      int account = s / 2;
      if (s % 2 == 1 && account % 2 == 0) {
        continue; // even accounts have one session
      }
      String id = PREFIX + s + (end ? "-end" : "");
      String session = PREFIX + "s" + s;
      events.add(
          end
              ? BenchEvents.terminated(id, session, user(account), at)
              : BenchEvents.sessionCreated(id, session, user(account), at, "0.5", "1", "0"));
    }
    return events;
  }

  private static String user(int account) {
    return PREFIX + "u" + account;
  }

  private static ObjectNode request(int account) {
    return BenchHttp.JSON
        .createObjectNode()
        .put("user_id", user(account))
        .put("cpu_cores", 0.5)
        .put("memory_gb", 1)
        .put("storage_gb", 0);
  }

  private static Latencies overHttp(BenchHttp http, String token, int accounts, int requests)
      throws Exception {
    long[] nanos = new long[requests];
    ExecutorService clients = Executors.newFixedThreadPool(EventSender.CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < EventSender.CLIENTS; c++) {
        int client = c;
        done.add(
            clients.submit(
                () -> {
                  for (int i = client; i < requests; i += EventSender.CLIENTS) {
                    int account = i % accounts;
                    long began = System.nanoTime();
                    JsonNode answer =
                        http.post("/api/platform/admission", token, request(account)).expect(200);
                    nanos[i] = System.nanoTime() - began;
                    check(account, answer.path("allowed").asBoolean());
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      clients.shutdownNow();
    }
    return Latencies.of(nanos);
  }

  private static Latencies inProcess(BenchHost host, int accounts, int requests) {
    long[] nanos = new long[requests];
    for (int i = 0; i < requests; i++) {
      int account = i % accounts;
      ObjectNode body = request(account);
      long began = System.nanoTime();
      boolean allowed = host.admit(body).allowed();
      nanos[i] = System.nanoTime() - began;
      check(account, allowed);
    }
    return Latencies.of(nanos);
  }

  /** Odd accounts have two open sessions, the free plan's limit. */
  private static void check(int account, boolean allowed) {
    if (allowed != (account % 2 == 0)) {
      throw new IllegalStateException(
          user(account) + " was " + (allowed ? "admitted" : "refused") + ", expected otherwise");
    }
  }
}
