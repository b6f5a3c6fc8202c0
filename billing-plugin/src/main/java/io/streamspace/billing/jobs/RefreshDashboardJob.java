package io.streamspace.billing.jobs;

import io.streamspace.billing.admin.DashboardSnapshots;
import io.streamspace.billing.admin.DashboardSnapshots.Snapshot;
import io.streamspace.billing.analytics.AnalyticsSnapshots;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The {@code refresh-dashboard} job, every {@value DashboardSnapshots#REFRESH_MINUTES} minutes
 * ({@link #CRON}): takes the dashboard's usage patterns and accounts near their limits ({@link
 * DashboardSnapshots}) and the subscription analytics of the last twelve months ({@link
 * AnalyticsSnapshots}), which at full size cost seconds, so that a request reads them instead of
 * computing them.
 */
public final class RefreshDashboardJob implements PluginJob {

  public static final String NAME = "refresh-dashboard";

  /**
   * From two past the hour on (2, 7, 12…): never at the same second as the hourly calculate-usage
   * run and check-quotas (every 5 minutes from the hour) of the default config, on the cores intake
   * shares with them (docs/benchmark-history.md, run AH).
   */
  static final String CRON = "2-59/" + DashboardSnapshots.REFRESH_MINUTES + " * * * *";

  private final DashboardSnapshots snapshots;
  private final AnalyticsSnapshots analytics;
  private final BackgroundLane lane;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public RefreshDashboardJob(
      DashboardSnapshots snapshots,
      AnalyticsSnapshots analytics,
      BackgroundLane lane,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.snapshots = snapshots;
    this.analytics = analytics;
    this.lane = lane;
    this.config = config;
    this.clock = clock;
  }

  /** Schedules the job (its cron does not depend on the config). */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    Instant now = clock.instant();
    // on the background lane: its statements take seconds of a core at full size
    Snapshot snapshot = lane.hold(() -> snapshots.take(current, now));
    AnalyticsSnapshots.Snapshot figures =
        lane.hold(() -> analytics.take(current.billingTimeZone(), now));
    return JobResult.of(
        2,
        ("the dashboard's usage patterns and accounts near their limits, and the analytics of %s"
                + " to %s, as of %s")
            .formatted(figures.from(), figures.to(), snapshot.at()));
  }
}
