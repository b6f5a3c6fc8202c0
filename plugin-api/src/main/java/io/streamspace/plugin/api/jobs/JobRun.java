package io.streamspace.plugin.api.jobs;

import java.time.Instant;

/**
 * One finished run of a job.
 *
 * @param jobName     the job's name
 * @param startedAt   when it started
 * @param endedAt     when it ended
 * @param outcome     how it ended
 * @param rowsTouched rows it inserted or changed (0 when it failed)
 * @param message     its summary, or the failure's message
 * @param node        the host node that ran it
 *
 * <p>Stable since 0.1.
 */
public record JobRun(
    String jobName,
    Instant startedAt,
    Instant endedAt,
    JobOutcome outcome,
    long rowsTouched,
    String message,
    String node) {}
