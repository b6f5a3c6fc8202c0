package io.streamspace.host.jobs;

import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobStarter;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's only Quartz job. Quartz stores just this class's name plus a plugin id and job
 * name; at fire time it finds the plugin's {@link PluginJob} on this node, runs it, and records
 * the run in {@code host_job_runs}. {@link DisallowConcurrentExecution} holds per job key (one
 * per plugin job), so a job never overlaps itself, even across cluster nodes.
 */
@DisallowConcurrentExecution
public final class PluginJobDispatcher implements Job {

  static final String PLUGIN_ID = "pluginId";
  static final String JOB_NAME = "jobName";
  static final String REQUEST_ID = "requestId";

  /** Who started a manual run ({@link JobStarter}): a trigger's data, absent on the schedule's. */
  static final String STARTED_BY = "startedBy";

  static final String STARTED_BY_REASON = "startedByReason";
  static final String STARTED_BY_REQUEST_ID = "startedByRequestId";

  private static final Logger log = LoggerFactory.getLogger(PluginJobDispatcher.class);

  private final PluginJobRegistry registry;
  private final Predicate<String> pluginEnabled;
  private final JobRunStore runs;
  private final RunCompletions completions;
  private final BiConsumer<String, JobRun> recorded;
  private final Clock clock;

  PluginJobDispatcher(
      PluginJobRegistry registry,
      Predicate<String> pluginEnabled,
      JobRunStore runs,
      RunCompletions completions,
      BiConsumer<String, JobRun> recorded,
      Clock clock) {
    this.registry = registry;
    this.pluginEnabled = pluginEnabled;
    this.runs = runs;
    this.completions = completions;
    this.recorded = recorded;
    this.clock = clock;
  }

  @Override
  public void execute(JobExecutionContext context) {
    JobDataMap data = context.getMergedJobDataMap();
    String pluginId = data.getString(PLUGIN_ID);
    String jobName = data.getString(JOB_NAME);
    String requestId = data.getString(REQUEST_ID);
    if (!pluginEnabled.test(pluginId)) {
      log.info("Skipping job {}/{}: the plugin is not enabled on this node", pluginId, jobName);
      return;
    }
    String node = nodeOf(context);
    if (context.isRecovering()) {
      log.info("Running job {}/{} again: the node that was running it died", pluginId, jobName);
    }
    Optional<JobStarter> startedBy = starterOf(data);
    startedBy.ifPresent(
        starter ->
            log.info(
                "Job {}/{} started by {} (request {})",
                pluginId,
                jobName,
                starter.userId(),
                starter.requestId()));
    JobRun run =
        run(
            registry.find(pluginId, jobName),
            jobName,
            node,
            contextOf(context, jobName, startedBy));
    runs.record(pluginId, requestId, run);
    recorded.accept(pluginId, run);
    if (requestId != null) {
      completions.complete(requestId, run);
    }
  }

  private JobRun run(Optional<PluginJob> job, String jobName, String node, JobContext context) {
    Instant startedAt = clock.instant();
    if (job.isEmpty()) {
      log.warn("Job {} fired but is not registered on node {}", jobName, node);
      return new JobRun(
          jobName,
          startedAt,
          startedAt,
          JobOutcome.FAILED,
          0,
          "job is not registered on node " + node,
          node);
    }
    try {
      JobResult result = job.get().run(context);
      log.info("Job {} touched {} rows: {}", jobName, result.rowsTouched(), result.message());
      return new JobRun(
          jobName,
          startedAt,
          clock.instant(),
          JobOutcome.SUCCEEDED,
          result.rowsTouched(),
          result.message(),
          node);
    } catch (Exception e) {
      if (DatabaseOutage.causedBy(e)) {
        // seen by every job that runs into an outage: one line, not a stack trace
        log.warn("Job {} failed: the database cannot be reached ({})", jobName, e.toString());
      } else {
        log.error("Job {} failed", jobName, e);
      }
      return new JobRun(
          jobName,
          startedAt,
          clock.instant(),
          JobOutcome.FAILED,
          0,
          String.valueOf(e.getMessage()),
          node);
    }
  }

  private static JobContext contextOf(
      JobExecutionContext context, String jobName, Optional<JobStarter> startedBy) {
    Instant fired = context.getFireTime().toInstant();
    Instant scheduled =
        context.getScheduledFireTime() == null ? fired : context.getScheduledFireTime().toInstant();
    return new JobContext(jobName, scheduled, fired, startedBy);
  }

  /**
   * A manual run's trigger data naming who started it; empty for nobody. Only the values given
   * are put: the job store keeps job data as properties, strings only.
   */
  static JobDataMap starterData(JobStarter startedBy) {
    JobDataMap data = new JobDataMap();
    if (startedBy != null) {
      data.put(STARTED_BY, startedBy.userId());
      if (startedBy.reason() != null) {
        data.put(STARTED_BY_REASON, startedBy.reason());
      }
      if (startedBy.requestId() != null) {
        data.put(STARTED_BY_REQUEST_ID, startedBy.requestId());
      }
    }
    return data;
  }

  /** Who started the run, from its trigger's data ({@link #starterData}); empty for the cron's. */
  private static Optional<JobStarter> starterOf(JobDataMap data) {
    String userId = data.getString(STARTED_BY);
    return userId == null
        ? Optional.empty()
        : Optional.of(
            new JobStarter(
                userId, data.getString(STARTED_BY_REASON), data.getString(STARTED_BY_REQUEST_ID)));
  }

  private static String nodeOf(JobExecutionContext context) {
    try {
      return context.getScheduler().getSchedulerInstanceId();
    } catch (org.quartz.SchedulerException e) {
      return "unknown";
    }
  }
}
