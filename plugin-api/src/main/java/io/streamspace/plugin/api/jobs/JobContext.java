package io.streamspace.plugin.api.jobs;

import java.time.Instant;
import java.util.Optional;

/**
 * One firing of a job.
 *
 * @param jobName           the job's name
 * @param scheduledFireTime when the schedule wanted it to run (the request time for a manual run)
 * @param fireTime          when it actually started
 * @param startedBy         who started it by hand ({@link JobScheduler#runNow(String,
 *                          JobStarter)}), or empty for a run the schedule fired and for a manual
 *                          run nobody was named for. Since 0.3.
 *
 * <p>Stable since 0.1; {@code startedBy} since 0.3.
 */
public record JobContext(
    String jobName, Instant scheduledFireTime, Instant fireTime, Optional<JobStarter> startedBy) {

  /** The canonical form, with {@code startedBy} (null is taken as empty): @since 0.3. */
  public JobContext {
    startedBy = startedBy == null ? Optional.empty() : startedBy;
  }

  /** A firing nobody is named for (the schedule's), as before 0.3. */
  public JobContext(String jobName, Instant scheduledFireTime, Instant fireTime) {
    this(jobName, scheduledFireTime, fireTime, Optional.empty());
  }
}
