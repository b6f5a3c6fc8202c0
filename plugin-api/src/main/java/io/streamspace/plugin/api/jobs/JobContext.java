package io.streamspace.plugin.api.jobs;

import java.time.Instant;

/**
 * One firing of a job.
 *
 * @param jobName           the job's name
 * @param scheduledFireTime when the schedule wanted it to run (the request time for a manual run)
 * @param fireTime          when it actually started
 *
 * <p>Stable since 0.1.
 */
public record JobContext(String jobName, Instant scheduledFireTime, Instant fireTime) {}
