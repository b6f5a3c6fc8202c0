package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStarter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /jobs/status} and {@code POST /jobs/{name}}. */
class JobRoutesTest {

  private static final String REASON = "{\"reason\": \"catching up after the outage\"}";

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anAdminRunsCalculateUsageAndSeesItInTheStatus() {
    billing.created("2026-03-02T08:00:00Z", "s1", "ann", size("1", "1", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s1", "ann");
    billing.flush();
    billing.clock.set(at("2026-03-02T10:00:00Z"));

    Answer run = billing.call(HttpMethod.POST, "/jobs/calculate-usage", admin("root"), REASON);
    JsonNode status = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body();

    assertEquals(200, run.status());
    assertEquals("succeeded", run.body().get("outcome").asText());
    assertEquals(2, run.body().get("rows_touched").asLong());
    assertTrue(run.body().get("message").asText().contains("inserted 2 usage records"));
    JsonNode job = status.at("/jobs/0");
    assertEquals("calculate-usage", job.get("name").asText());
    assertEquals("0 * * * *", job.get("cron").asText());
    assertEquals("UTC", job.get("time_zone").asText());
    assertEquals("2026-03-02T10:00:00Z", job.at("/last_run/started_at").asText());
  }

  @Test
  void jobsAreForAdminsOnly() {
    assertEquals(401, billing.call(HttpMethod.GET, "/jobs/status", Caller.ANONYMOUS).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/jobs/status", user("ann")).status());
    assertEquals(403, billing.call(HttpMethod.POST, "/jobs/calculate-usage", user("ann")).status());
  }

  @ParameterizedTest(name = "body {0}")
  @NullSource
  @ValueSource(strings = {"{}", "{\"reason\": \"  \"}", "{\"reason\": 7}"})
  void aRunWithoutAReasonIsRefusedNamingReason_andNothingRuns(String body) {
    billing.created("2026-03-02T08:00:00Z", "s1", "ann", size("1", "1", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s1", "ann");
    billing.flush();
    billing.clock.set(at("2026-03-02T10:00:00Z"));

    Answer answer = billing.call(HttpMethod.POST, "/jobs/calculate-usage", admin("root"), body);

    assertEquals(400, answer.status());
    assertEquals("reason", answer.errorField());
    JsonNode job = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body().at("/jobs/0");
    assertTrue(job.get("last_run").isNull(), "not run: " + job);
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_usage_records"));
  }

  @Test
  void theRunIsStartedOnBehalfOfTheAdmin_withTheirReasonAndRequestId() throws Exception {
    JobScheduler scheduler = mock(JobScheduler.class);
    when(scheduler.runNow(eq("check-quotas"), any()))
        .thenReturn(CompletableFuture.completedFuture(null));
    JobRoutes routes = new JobRoutes(scheduler, Map.of());

    routes.runNow(
        new HttpRequest(
            HttpMethod.POST,
            "/jobs/check-quotas",
            Map.of("name", "check-quotas"),
            null,
            Map.of("x-request-id", "req-run"),
            "{\"reason\": \" a customer paid by wire \"}".getBytes(StandardCharsets.UTF_8),
            admin("root")));

    verify(scheduler)
        .runNow("check-quotas", new JobStarter("root", "a customer paid by wire", "req-run"));
  }

  @Test
  void theApiDescriptionListsEveryJobScheduled_asTheNamesARunMayTake() throws Exception {
    Set<String> scheduled = new TreeSet<>();
    billing
        .call(HttpMethod.GET, "/jobs/status", admin("root"))
        .body()
        .get("jobs")
        .forEach(job -> scheduled.add(job.get("name").asText()));
    JsonNode description =
        new ObjectMapper().readTree(billing.context.routes().description().orElseThrow());
    Set<String> described = new TreeSet<>();
    description
        .at("/paths/~1jobs~1{name}/post/parameters/0/schema/enum")
        .forEach(name -> described.add(name.asText()));

    assertEquals(scheduled, described);
  }

  @Test
  void anUnknownJobIsNotFound() {
    Answer answer = billing.call(HttpMethod.POST, "/jobs/make-coffee", admin("root"), REASON);

    assertEquals(404, answer.status());
    assertEquals("not_found", answer.body().at("/error/code").asText());
  }

  @Test
  void aJobThatNeverRanHasNoLastRun() {
    JsonNode job = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body().at("/jobs/0");

    assertTrue(job.get("last_run").isNull());
  }

  @Test
  void aRunStillGoingWhenTheRouteStopsWaitingIsAnswered202_andKeepsRunning() throws Exception {
    JobScheduler scheduler = mock(JobScheduler.class);
    CompletableFuture<JobRun> neverInTime = new CompletableFuture<>();
    when(scheduler.runNow(eq("generate-invoices"), any())).thenReturn(neverInTime);
    JobRoutes routes = new JobRoutes(scheduler, Map.of(), Duration.ofMillis(50));

    Object answer =
        routes.runNow(
            new HttpRequest(
                HttpMethod.POST,
                "/jobs/generate-invoices",
                Map.of("name", "generate-invoices"),
                null,
                null,
                REASON.getBytes(StandardCharsets.UTF_8),
                admin("root")));

    HttpResponse response = (HttpResponse) answer;
    JsonNode body =
        new ObjectMapper().readTree(new String(response.body(), StandardCharsets.UTF_8));
    assertEquals(202, response.status());
    assertEquals("generate-invoices", body.get("name").asText());
    assertEquals("running", body.get("outcome").asText());
    assertTrue(body.get("message").asText().contains("GET /jobs/status"), body.toString());
    assertFalse(neverInTime.isDone(), "the run is not cancelled");
  }

  @Test
  void theRouteWaitsTheHostsOneBoundForAManualRun_fiveMinutes() {
    // the host's RunCompletions gives up at the same constant (RunCompletionsTest)
    assertEquals(JobScheduler.MANUAL_RUN_WAIT, JobRoutes.RUN_TIMEOUT);
    assertEquals(Duration.ofMinutes(5), JobScheduler.MANUAL_RUN_WAIT);
  }

  @Test
  void aRunTheHostStoppedWaitingFor_isAnswered202_asOneStillRunning() throws Exception {
    JobScheduler scheduler = mock(JobScheduler.class);
    CompletableFuture<JobRun> givenUp = new CompletableFuture<>();
    givenUp.completeExceptionally(new TimeoutException());
    when(scheduler.runNow(eq("generate-invoices"), any())).thenReturn(givenUp);
    JobRoutes routes = new JobRoutes(scheduler, Map.of(), Duration.ofMinutes(1));

    HttpResponse response =
        (HttpResponse)
            routes.runNow(
                new HttpRequest(
                    HttpMethod.POST,
                    "/jobs/generate-invoices",
                    Map.of("name", "generate-invoices"),
                    null,
                    null,
                    REASON.getBytes(StandardCharsets.UTF_8),
                    admin("root")));

    assertEquals(202, response.status());
    assertTrue(
        new String(response.body(), StandardCharsets.UTF_8).contains("\"outcome\":\"running\""));
  }
}
