package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The calls the billing workloads make to the running host, over its real HTTP API ({@link
 * BenchHttp}): events as the platform, jobs and config as an admin, reads as a user.
 */
final class BillingClient {

  private static final String PLUGIN = "/api/plugins/billing";
  private static final String CONFIG = "/api/admin/plugins/billing/config";
  // longer than the route waits for a run (5 minutes) before it answers 202
  private static final Duration ROUTE_WAIT = Duration.ofMinutes(6);
  private static final Duration RUN_POLL = Duration.ofMillis(500);

  /** The body of a job's run: the plugin requires a reason, which its audit trail keeps. */
  private static final Map<String, String> RUN_REASON =
      Map.of("reason", "the benchmark times the job");

  private final BenchContext context;
  private final BenchHttp http;

  BillingClient(BenchContext context) {
    this.context = context;
    this.http = new BenchHttp(context.baseUrl());
  }

  /** Posts events as the platform in batches of 1,000; fails unless each batch is accepted. */
  void postEvents(List<? extends JsonNode> events) throws IOException, InterruptedException {
    for (int from = 0; from < events.size(); from += 1_000) {
      http.postEvents(
          context.platformToken(), events.subList(from, Math.min(events.size(), from + 1_000)));
    }
  }

  /** Waits until the billing plugin has consumed the whole journal (health shows no lag). */
  void awaitCaughtUp() throws IOException, InterruptedException {
    http.awaitBillingCaughtUp();
  }

  /** Asks a what-if as an admin ({@code POST /admin/what-if}); its answer, read whole. */
  JsonNode whatIf(Object body) throws IOException, InterruptedException {
    return http.post(PLUGIN + "/admin/what-if", context.adminToken(), body, ROUTE_WAIT).expect(200);
  }

  /** Runs a billing job through its route as an admin; fails unless the run succeeded. */
  JsonNode runJob(String name) throws IOException, InterruptedException {
    // the host stores instants to the microsecond or millisecond: compare at the millisecond
    Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    BenchHttp.Answer answer =
        http.post(PLUGIN + "/jobs/" + name, context.adminToken(), RUN_REASON, ROUTE_WAIT);
    JsonNode run = answer.status() == 202 ? awaitRun(name, asked) : answer.expect(200);
    if (!"succeeded".equals(run.path("outcome").asText())) {
      throw new IllegalStateException(name + " did not succeed: " + run);
    }
    return run;
  }

  /**
   * The run of {@code name} started at or after {@code asked}, once it has ended, as {@code GET
   * /jobs/status} shows it: the route answers 202 for a run that outlasts its wait.
   */
  private JsonNode awaitRun(String name, Instant asked) throws IOException, InterruptedException {
    while (true) {
      for (JsonNode job :
          http.get(PLUGIN + "/jobs/status", context.adminToken()).body().path("jobs")) {
        JsonNode last = job.path("last_run");
        if (job.path("name").asText().equals(name)
            && last.hasNonNull("ended_at")
            && !Instant.parse(last.path("started_at").asText()).isBefore(asked)) {
          return last;
        }
      }
      Thread.sleep(RUN_POLL.toMillis());
    }
  }

  /** The billing config in effect. */
  JsonNode config() throws IOException, InterruptedException {
    return http.get(CONFIG, context.adminToken()).expect(200);
  }

  /** Changes the keys the patch names (a JSON merge patch), saying why to the audit trail. */
  void patchConfig(Map<String, Object> patch, String reason)
      throws IOException, InterruptedException {
    http.patchConfig(CONFIG, context.adminToken(), patch, reason).expect(200);
  }

  /** A new bearer token for a user with the user role. */
  String userToken(String userId) throws IOException, InterruptedException {
    Map<String, Object> body = Map.of("user_id", userId, "roles", List.of("user"));
    return http.post("/api/admin/tokens", context.adminToken(), body)
        .expect(201)
        .get("token")
        .asText();
  }

  /** An admin's invoice for the account and period, finalized now (its usage claimed). */
  void invoice(String userId, Instant start, Instant end) throws IOException, InterruptedException {
    Map<String, Object> body =
        Map.of(
            "user_id",
            userId,
            "period_start",
            start.toString(),
            "period_end",
            end.toString(),
            "reason",
            "benchmark");
    http.post(PLUGIN + "/admin/invoices", context.adminToken(), body).expect(201);
  }

  /** GET of a billing route as {@code token}, its body as text; fails unless it answers 200. */
  String getText(String path, String token) throws IOException, InterruptedException {
    return http.getText(PLUGIN + path, token);
  }

  /** GET of a billing route as {@code token}; fails unless it answers 200. */
  JsonNode get(String path, String token) throws IOException, InterruptedException {
    return http.get(PLUGIN + path, token).expect(200);
  }
}
