package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.nullValue;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.jobs.JobNames;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStarter;
import io.streamspace.plugin.api.jobs.JobStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Admin routes over the plugin's jobs: {@code GET /jobs/status} and {@code POST /jobs/{name}}. */
public final class JobRoutes {

  // the bodies and answers of these routes

  static final Schema JOB_RUN =
      Schema.component(
          "JobRun",
          object()
              .req("started_at", string().format("date-time"))
              .req("ended_at", string().orNull().format("date-time"))
              .req("outcome", string())
              .req("rows_touched", integer())
              .req("message", string().orNull()));

  static final Schema JOBS =
      Schema.component(
          "Jobs",
          object()
              .req(
                  "jobs",
                  array(
                      object()
                          .req("name", string())
                          .req("cron", string())
                          .req("time_zone", string())
                          .req("last_run", oneOf(JOB_RUN, nullValue()))
                          .req("next_fire_time", string().orNull().format("date-time"))
                          .req("backlog", integer().orNull()))));

  static final Schema JOB_RUN_REQUEST =
      Schema.component(
          "JobRunRequest",
          object()
              .req(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          """
                          why the admin runs the job now: kept with each change the run makes in \
                          the audit trail""")));

  /**
   * How long {@code POST /jobs/{name}} waits for the run to end: the host's bound for a manual
   * run, which its own wait gives up at too, so the route never waits on a future the host has
   * abandoned.
   */
  static final Duration RUN_TIMEOUT = JobScheduler.MANUAL_RUN_WAIT;

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

  /** One job's schedule, last run, and the work waiting for it (null for a job without). */
  record JobJson(
      String name,
      String cron,
      String timeZone,
      RunJson lastRun,
      Instant nextFireTime,
      Long backlog) {}

  /** How much work waits for a job: the rows of its queue. */
  public interface Backlog {
    long count() throws SQLException;
  }

  record JobsJson(List<JobJson> jobs) {}

  /** A run that outlasted the route's wait: it goes on, {@code /jobs/status} tells its end. */
  record StillRunning(String name, String outcome, String message) {}

  private final JobScheduler scheduler;
  private final Map<String, Backlog> backlogs;
  private final Duration runTimeout;

  /** {@code backlogs}: by job name, for the jobs that work off a queue. */
  public JobRoutes(JobScheduler scheduler, Map<String, Backlog> backlogs) {
    this(scheduler, backlogs, RUN_TIMEOUT);
  }

  JobRoutes(JobScheduler scheduler, Map<String, Backlog> backlogs, Duration runTimeout) {
    this.scheduler = scheduler;
    this.backlogs = Map.copyOf(backlogs);
    this.runTimeout = runTimeout;
  }

  public void register(DescribedRoutes routes) {
    routes.add(STATUS, JsonRoute.of(this::status));
    routes.add(RUN_NOW, JsonRoute.of(this::runNow));
  }

  static final Operation STATUS =
      Operation.get("/jobs/status")
          .admin()
          .summary("Each job's schedule, last run and backlog")
          .description(
              """
              Who: admin.

              Each job's cron, zone, last run (start, end, outcome, rows touched, message), next \
              fire time and `backlog`: for collect-payments the collections waiting to be sent and \
              the invoices waiting to be mirrored into Stripe (pending, due or not), for \
              finalize-invoices the drafts whose tax Stripe Tax could not calculate (stripeTax: \
              each told by `billing.invoice.tax_failed`, retried at every run), null for the other \
              jobs.""")
          .answers(200, JOBS);

  /** 200 with every job; 401 without a caller; 403 unless admin. */
  JobsJson status(HttpRequest request) throws ApiException, SQLException {
    Access.admin(request);
    List<JobJson> jobs = new ArrayList<>();
    for (JobStatus status : scheduler.status()) {
      Backlog backlog = backlogs.get(status.jobName());
      jobs.add(
          new JobJson(
              status.jobName(),
              status.cron(),
              status.zone().getId(),
              RunJson.of(status.lastRun()),
              status.nextFireTime(),
              backlog == null ? null : backlog.count()));
    }
    return new JobsJson(jobs);
  }

  static final Operation RUN_NOW =
      Operation.post("/jobs/{name}")
          .admin()
          .summary("Run a job now, with the reason")
          .description(
              """
              Who: admin.

              `{"reason"}` (required: why run it now) runs the job now through the scheduler, on \
              behalf of the admin: what the run changes (generate-invoices' `invoice.created` and \
              `invoice.finalized`, check-quotas' holds and `credit.expired`, collect-payments' \
              `invoice.paid`…) is recorded in the audit trail with the admin as actor, their \
              reason and the request's `X-Request-Id`, where a run the schedule fires names the \
              job. It answers 200 with its outcome \
              (`{"started_at","ended_at","outcome","rows_touched","message"}`); 202 \
              `{"name","outcome":"running","message"}` when it is still running after 5 minutes (a \
              generate-invoices of many accounts; plugin-api's `JobScheduler.MANUAL_RUN_WAIT`, the \
              one bound at which the host stops waiting for a manual run too): the run goes on and \
              `GET /jobs/status` shows it as the last run once it ends; 400 naming `reason` when \
              it is missing or blank (nothing runs); 404 for an unknown job.""")
          .params(Param.path("name", string().enumOf(JobNames.ALL.toArray(String[]::new))))
          .body(JOB_RUN_REQUEST)
          .answers(200, Response.of("the run's outcome").json(JOB_RUN))
          .answers(
              202,
              Response.of("still running after 5 minutes")
                  .json(
                      object()
                          .req("name", string())
                          .req("outcome", string())
                          .req("message", string())))
          .errors(400, 404);

  /**
   * {@code {"reason"}} (required: why run it now; the audit trail keeps it): runs the job on
   * behalf of the admin ({@link JobStarter}), so that what the run changes is recorded as theirs,
   * with the reason and the request's id, not the job's. 200 with the finished run; 202 when it
   * is still running after {@link #RUN_TIMEOUT} (a generate-invoices of a large month: the run
   * goes on); 400 naming {@code reason} when it is missing or blank, nothing run; 404 for an
   * unknown job; 401/403 unless admin; 400 {@code invalid_json} for a body other than one JSON
   * object.
   */
  Object runNow(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    // no body at all is a missing reason, told as such rather than as bad JSON
    JsonNode body =
        request.body() == null || request.body().length == 0
            ? Json.MAPPER.createObjectNode()
            : Json.readObject(request);
    JobStarter starter =
        new JobStarter(
            admin.userId(), AuditCauses.requiredReason(body), AuditCauses.requestId(request));
    String name = request.pathParam("name");
    CompletionStage<JobRun> run;
    try {
      run = scheduler.runNow(name, starter);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no job named " + name);
    }
    try {
      return RunJson.of(
          run.toCompletableFuture().get(runTimeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException | ExecutionException e) {
      // the host gives up at the same bound: its future then fails with a TimeoutException
      if (e instanceof ExecutionException failed
          && !(failed.getCause() instanceof TimeoutException)) {
        throw e;
      }
      String message =
          "still running after %d s; GET /jobs/status shows its last run once it ends"
              .formatted(runTimeout.toSeconds());
      return HttpResponse.json(
          HttpStatus.ACCEPTED, Json.write(new StillRunning(name, "running", message)));
    }
  }
}
