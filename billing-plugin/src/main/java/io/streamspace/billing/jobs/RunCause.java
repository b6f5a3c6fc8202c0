package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobStarter;

/**
 * The audit trail's cause of what a job's run changes: the platform admin who started it by hand
 * ({@code POST /jobs/{name}}, the only way this plugin starts a run for someone), with the reason
 * they gave and their request id, so an auditor sees who asked rather than "the job"; else, for
 * a run the schedule fired, the job by its name.
 */
final class RunCause {

  private RunCause() {}

  /** The run's cause, the job named as the run names it when nobody started it. */
  static Cause of(JobContext run) {
    return of(run, run.jobName());
  }

  /** The run's cause, the job named {@code jobName} when nobody started it. */
  static Cause of(JobContext run, String jobName) {
    return run.startedBy().map(RunCause::admin).orElseGet(() -> Cause.job(jobName));
  }

  private static Cause admin(JobStarter starter) {
    return new Cause(Actor.admin(starter.userId()), starter.reason(), starter.requestId());
  }
}
