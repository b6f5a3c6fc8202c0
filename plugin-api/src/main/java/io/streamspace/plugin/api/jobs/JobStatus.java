package io.streamspace.plugin.api.jobs;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A job's schedule and recent history.
 *
 * @param jobName      the job's name
 * @param cron         its cron expression
 * @param zone         the zone the cron is read in
 * @param lastRun      its last finished run, or null when it never ran
 * @param nextFireTime when it will run next, or null when it will not
 *
 * <p>Stable since 0.1.
 */
public record JobStatus(
    String jobName, String cron, ZoneId zone, JobRun lastRun, Instant nextFireTime) {}
