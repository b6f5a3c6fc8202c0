package io.streamspace.billing.support;

import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStarter;
import io.streamspace.plugin.api.jobs.JobStatus;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An in-memory scheduler that runs jobs synchronously, on the caller's thread, on demand. */
public final class DirectJobScheduler implements JobScheduler {

  private record Scheduled(String cron, ZoneId zone, PluginJob job) {}

  private final Map<String, Scheduled> jobs = new LinkedHashMap<>();
  private final Map<String, JobRun> lastRuns = new LinkedHashMap<>();
  private final Clock clock;

  public DirectJobScheduler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void schedule(String jobName, String cron, ZoneId zone, PluginJob job) {
    validateCron(cron)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    jobs.put(jobName, new Scheduled(cron, zone, job));
  }

  @Override
  public synchronized void unschedule(String jobName) {
    jobs.remove(jobName);
  }

  @Override
  public Optional<String> validateCron(String cron) {
    return cron.trim().split("\\s+").length == 5 ? Optional.empty() : Optional.of("not 5 fields");
  }

  @Override
  public CompletionStage<JobRun> runNow(String jobName) {
    return runNow(jobName, null);
  }

  /** A run on behalf of {@code startedBy} (null: nobody, as the schedule's), as the host runs it. */
  @Override
  public synchronized CompletionStage<JobRun> runNow(String jobName, JobStarter startedBy) {
    Scheduled scheduled = jobs.get(jobName);
    if (scheduled == null) {
      throw new IllegalArgumentException("no job " + jobName);
    }
    var started = clock.instant();
    JobRun run;
    try {
      JobResult result =
          scheduled
              .job()
              .run(new JobContext(jobName, started, started, Optional.ofNullable(startedBy)));
      run =
          new JobRun(
              jobName,
              started,
              clock.instant(),
              JobOutcome.SUCCEEDED,
              result.rowsTouched(),
              result.message(),
              "test");
    } catch (Exception e) {
      run =
          new JobRun(
              jobName, started, clock.instant(), JobOutcome.FAILED, 0, e.getMessage(), "test");
    }
    lastRuns.put(jobName, run);
    return CompletableFuture.completedFuture(run);
  }

  /** Runs a job and answers its run, failing the test when the job failed. */
  public JobRun run(String jobName) {
    JobRun run = runNow(jobName).toCompletableFuture().join();
    if (run.outcome() != JobOutcome.SUCCEEDED) {
      throw new AssertionError(jobName + " failed: " + run.message());
    }
    return run;
  }

  public synchronized String cronOf(String jobName) {
    return jobs.get(jobName).cron();
  }

  @Override
  public synchronized List<JobStatus> status() {
    List<JobStatus> status = new ArrayList<>();
    jobs.forEach(
        (name, s) -> status.add(new JobStatus(name, s.cron(), s.zone(), lastRuns.get(name), null)));
    return status;
  }
}
