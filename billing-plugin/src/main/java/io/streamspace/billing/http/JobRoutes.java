package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Admin routes over the plugin's jobs: {@code GET /jobs/status} and {@code POST /jobs/{name}}. */
public final class JobRoutes {

  /** How long {@code POST /jobs/{name}} waits for the run to end. */
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  /** One finished run. */
  record RunJson(
      Instant startedAt, Instant endedAt, String outcome, long rowsTouched, String message) {

    static RunJson of(JobRun run) {
      return run == null
          ? null
          : new RunJson(
              run.startedAt(),
              run.endedAt(),
              run.outcome().name().toLowerCase(Locale.ROOT),
              run.rowsTouched(),
              run.message());
    }
  }

  /** One job's schedule and last run. */
  record JobJson(String name, String cron, String timeZone, RunJson lastRun, Instant nextFireTime) {

    static JobJson of(JobStatus status) {
      return new JobJson(
          status.jobName(),
          status.cron(),
          status.zone().getId(),
          RunJson.of(status.lastRun()),
          status.nextFireTime());
    }
  }

  record JobsJson(List<JobJson> jobs) {}

  private final JobScheduler scheduler;

  public JobRoutes(JobScheduler scheduler) {
    this.scheduler = scheduler;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/jobs/status", JsonRoute.of(this::status));
    routes.add(HttpMethod.POST, "/jobs/{name}", JsonRoute.of(this::runNow));
  }

  /** 200 with every job; 401 without a caller; 403 unless admin. */
  JobsJson status(HttpRequest request) throws ApiException {
    Access.admin(request);
    return new JobsJson(scheduler.status().stream().map(JobJson::of).toList());
  }

  /**
   * 200 with the finished run; 404 for an unknown job; 401/403 unless admin; 400 {@code
   * invalid_json} for a body other than none or one JSON object.
   */
  RunJson runNow(HttpRequest request) throws Exception {
    Access.admin(request);
    Json.requireNoneOrObject(request);
    String name = request.pathParam("name");
    CompletionStage<JobRun> run;
    try {
      run = scheduler.runNow(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no job named " + name);
    }
    return RunJson.of(run.toCompletableFuture().get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
  }
}
