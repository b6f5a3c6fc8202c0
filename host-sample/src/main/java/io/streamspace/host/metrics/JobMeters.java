package io.streamspace.host.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamspace.plugin.api.jobs.JobRun;
import java.time.Duration;
import java.util.Locale;

/** Counts and times plugin job runs ({@code streamspace.job.runs}) as this node records them. */
public final class JobMeters {

  private final MeterRegistry registry;

  public JobMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A run of a plugin's job was recorded: its count and duration, by job and outcome. */
  public void recorded(String pluginId, JobRun run) {
    Timer.builder("streamspace.job.runs")
        .description("Plugin job runs by job and outcome, with their durations")
        .tags(
            "plugin",
            pluginId,
            "job",
            run.jobName(),
            "outcome",
            run.outcome().name().toLowerCase(Locale.ROOT))
        .register(registry)
        .record(Duration.between(run.startedAt(), run.endedAt()));
  }
}
