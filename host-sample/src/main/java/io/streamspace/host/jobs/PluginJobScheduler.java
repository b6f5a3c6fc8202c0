package io.streamspace.host.jobs;

import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStarter;
import io.streamspace.plugin.api.jobs.JobStatus;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The {@link JobScheduler} one plugin sees. A job is a durable Quartz job of the host's
 * {@link PluginJobDispatcher} keyed (group = plugin id, name = job name) with a cron trigger of
 * the same key; scheduling again with another cron or zone replaces both, so the change takes
 * effect at once.
 *
 * <p>Scheduling again with the same cron and zone keeps the cluster's trigger as it is: every
 * node schedules a plugin's jobs as the plugin starts on it, and a trigger replaced just after
 * it fired would fire that time again (Quartz computes a new cron trigger's first fire time from
 * one second before its start), so two nodes starting together ran one fire time twice. A
 * replacement starts at the next whole second for the same reason.
 *
 * <p>Jobs request recovery: a run whose node dies is run again on another node (plugin jobs are
 * idempotent and can crash half-way, so running one again is safe). Without it the run was
 * lost until the next fire time, a month for generate-invoices. A fire time missed while no node
 * ran (misfire) fires once when one does; a manual run fires at once.
 */
public final class PluginJobScheduler implements JobScheduler {

  private static final String CRON = "cron";
  private static final String ZONE = "zone";

  private final String pluginId;
  private final Scheduler scheduler;
  private final PluginJobRegistry registry;
  private final JobRunStore runs;
  private final RunCompletions completions;

  PluginJobScheduler(
      String pluginId,
      Scheduler scheduler,
      PluginJobRegistry registry,
      JobRunStore runs,
      RunCompletions completions) {
    this.pluginId = pluginId;
    this.scheduler = scheduler;
    this.registry = registry;
    this.runs = runs;
    this.completions = completions;
  }

  @Override
  public void schedule(String jobName, String cron, ZoneId zone, PluginJob job) {
    String quartzCron = CronTranslator.toQuartz(cron);
    registry.register(pluginId, jobName, job);
    JobDetail detail =
        JobBuilder.newJob(PluginJobDispatcher.class)
            .withIdentity(jobKey(jobName))
            .storeDurably()
            .requestRecovery()
            .usingJobData(PluginJobDispatcher.PLUGIN_ID, pluginId)
            .usingJobData(PluginJobDispatcher.JOB_NAME, jobName)
            .usingJobData(CRON, cron)
            .usingJobData(ZONE, zone.getId())
            .build();
    if (alreadyScheduled(jobName, cron, zone)) {
      return;
    }
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(new TriggerKey(jobName, pluginId))
            .forJob(detail)
            .startAt(nextWholeSecond())
            .withSchedule(
                CronScheduleBuilder.cronSchedule(quartzCron)
                    .inTimeZone(TimeZone.getTimeZone(zone))
                    .withMisfireHandlingInstructionFireAndProceed())
            .build();
    quartz(
        () -> {
          scheduler.scheduleJob(detail, Set.of(trigger), true);
          return null;
        },
        "schedule",
        jobName);
  }

  /** Whether the job runs on this cron in this zone already, its trigger firing as usual. */
  private boolean alreadyScheduled(String jobName, String cron, ZoneId zone) {
    JobDetail existing = quartz(() -> scheduler.getJobDetail(jobKey(jobName)), "read", jobName);
    if (existing == null
        || !cron.equals(existing.getJobDataMap().getString(CRON))
        || !zone.getId().equals(existing.getJobDataMap().getString(ZONE))) {
      return false;
    }
    Trigger.TriggerState state =
        quartz(() -> scheduler.getTriggerState(new TriggerKey(jobName, pluginId)), "read", jobName);
    return state == Trigger.TriggerState.NORMAL || state == Trigger.TriggerState.BLOCKED;
  }

  // Quartz's own time (the system's), which is what its fire times are compared with
  private static Date nextWholeSecond() {
    return Date.from(Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));
  }

  @Override
  public void unschedule(String jobName) {
    registry.remove(pluginId, jobName);
    quartz(
        () -> {
          // A manual run's one-shot trigger goes away on its own as the run completes, and may do
          // so between Quartz listing the job's triggers and deleting them, which deleteJob
          // reports as a failure: unschedule each trigger first, whether still there or not.
          for (Trigger trigger : scheduler.getTriggersOfJob(jobKey(jobName))) {
            scheduler.unscheduleJob(trigger.getKey());
          }
          return scheduler.deleteJob(jobKey(jobName));
        },
        "unschedule",
        jobName);
  }

  @Override
  public Optional<String> validateCron(String cron) {
    return CronTranslator.problem(cron);
  }

  @Override
  public CompletionStage<JobRun> runNow(String jobName) {
    return runNow(jobName, null);
  }

  /**
   * A manual run whose trigger carries who started it ({@link PluginJobDispatcher#STARTED_BY}
   * and its reason and request id), so the node that fires it hands them to the job: the job's
   * data is the cluster's, the trigger's only its own.
   */
  @Override
  public CompletionStage<JobRun> runNow(String jobName, JobStarter startedBy) {
    if (!quartz(() -> scheduler.checkExists(jobKey(jobName)), "find", jobName)) {
      throw new IllegalArgumentException("No job named " + jobName + " in plugin " + pluginId);
    }
    String requestId = UUID.randomUUID().toString();
    CompletableFuture<JobRun> done = completions.await(requestId);
    Trigger oneShot =
        TriggerBuilder.newTrigger()
            .withIdentity("run-" + requestId, pluginId)
            .forJob(jobKey(jobName))
            .usingJobData(PluginJobDispatcher.REQUEST_ID, requestId)
            .usingJobData(PluginJobDispatcher.starterData(startedBy))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
            .startNow()
            .build();
    try {
      quartz(() -> scheduler.scheduleJob(oneShot), "run", jobName);
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public List<JobStatus> status() {
    Set<JobKey> keys =
        quartz(() -> scheduler.getJobKeys(GroupMatcher.jobGroupEquals(pluginId)), "list", "*");
    List<JobStatus> statuses = new ArrayList<>();
    for (JobKey key : keys) {
      JobDetail detail = quartz(() -> scheduler.getJobDetail(key), "read", key.getName());
      if (detail != null) {
        statuses.add(statusOf(key.getName(), detail.getJobDataMap()));
      }
    }
    statuses.sort((a, b) -> a.jobName().compareTo(b.jobName()));
    return statuses;
  }

  private JobStatus statusOf(String jobName, JobDataMap data) {
    TriggerKey triggerKey = new TriggerKey(jobName, pluginId);
    Trigger trigger = quartz(() -> scheduler.getTrigger(triggerKey), "read", jobName);
    boolean paused =
        quartz(() -> scheduler.getTriggerState(triggerKey), "read", jobName)
            == Trigger.TriggerState.PAUSED;
    Date next = trigger == null || paused ? null : trigger.getNextFireTime();
    return new JobStatus(
        jobName,
        data.getString(CRON),
        ZoneId.of(data.getString(ZONE)),
        runs.lastRun(pluginId, jobName).orElse(null),
        next == null ? null : next.toInstant());
  }

  private JobKey jobKey(String jobName) {
    return new JobKey(jobName, pluginId);
  }

  /** A Quartz call whose failure is the host's problem, not the plugin's. */
  private interface QuartzCall<T> {
    T call() throws SchedulerException;
  }

  private <T> T quartz(QuartzCall<T> call, String action, String jobName) {
    try {
      return call.call();
    } catch (SchedulerException e) {
      throw new IllegalStateException(
          "Cannot " + action + " job " + pluginId + "/" + jobName + ": " + e.getMessage(), e);
    }
  }
}
