package io.streamspace.plugin.api.jobs;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The host's scheduler, as one plugin sees it. Jobs are named per plugin. The host runs them
 * through a clustered scheduler: a job never runs twice at once, even across host nodes, and a
 * disabled plugin's jobs do not run. Every node must have the plugin loaded, since any node may
 * fire a job.
 *
 * <p><b>Cron format:</b> five Unix fields, {@code minute hour day-of-month month day-of-week},
 * with {@code *}, lists, ranges and steps; day-of-week 0-7 (0 and 7 are Sunday) or
 * {@code SUN}-{@code SAT}. For example {@code 0 * * * *} is every hour on the hour and
 * {@code 0 0 1 * *} is midnight on the first of the month.
 *
 * <p>Stable since 0.1; {@link #runNow(String, JobStarter)} since 0.3.
 */
public interface JobScheduler {

  /**
   * How long a manual run is waited for, by the host (the future {@link #runNow} answers then
   * completes exceptionally with a {@link java.util.concurrent.TimeoutException}; the run goes
   * on) and by a plugin's route that runs a job now and answers with its end. One bound for both,
   * so neither waits on after the other has given up.
   *
   * @since 0.3
   */
  Duration MANUAL_RUN_WAIT = Duration.ofMinutes(5);

  /**
   * Schedules a job, or replaces the schedule and code of the job with that name.
   *
   * @param jobName a name unique within the plugin, for example {@code calculate-usage}
   * @param cron    when to run, in the cron format above
   * @param zone    the time zone the cron is read in
   * @param job     what to run
   * @throws IllegalArgumentException when the cron is not valid
   */
  void schedule(String jobName, String cron, ZoneId zone, PluginJob job);

  /** Removes a job and its schedule; nothing happens when there is no such job. */
  void unschedule(String jobName);

  /** Why a cron expression is not valid, or empty when it is. */
  Optional<String> validateCron(String cron);

  /**
   * Runs a scheduled job now, through the scheduler (so never concurrently with a scheduled run
   * of the same job).
   *
   * @return completes with the run when it has ended, on whichever node ran it; completes
   *     exceptionally with a {@link java.util.concurrent.TimeoutException} after {@link
   *     #MANUAL_RUN_WAIT} (since 0.3) while the run goes on
   * @throws IllegalArgumentException when there is no job of that name
   */
  CompletionStage<JobRun> runNow(String jobName);

  /**
   * Runs a scheduled job now on behalf of {@code startedBy}, as {@link #runNow(String)}; the
   * run's {@link JobContext#startedBy()} names them on whichever node runs it, so that what the
   * run changes can be told apart from what the schedule's runs change (a plugin's audit trail
   * names the admin, their reason and their request instead of the job).
   *
   * <p>The default, for a host that implements this interface as it was before 0.3, runs the job
   * as {@link #runNow(String)} does: the run does not know who started it ({@code startedBy()}
   * is empty). The sample host overrides it.
   *
   * @param startedBy who starts it, why, and the request that asked; null runs it as {@link
   *     #runNow(String)}
   * @return as {@link #runNow(String)}
   * @throws IllegalArgumentException when there is no job of that name
   * @since 0.3
   */
  default CompletionStage<JobRun> runNow(String jobName, JobStarter startedBy) {
    return runNow(jobName);
  }

  /** Every job of this plugin: schedule, last run and next fire time. */
  List<JobStatus> status();
}
