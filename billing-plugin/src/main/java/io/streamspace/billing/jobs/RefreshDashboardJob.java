package io.streamspace.billing.jobs;

import io.streamspace.billing.admin.DashboardSnapshots;
import io.streamspace.billing.admin.DashboardSnapshots.Snapshot;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The {@code refresh-dashboard} job, every {@value DashboardSnapshots#REFRESH_MINUTES} minutes:
 * takes the dashboard's usage patterns and accounts near their limits ({@link
 * DashboardSnapshots}), which at full size cost seconds, so that a dashboard request reads them
 * instead of computing them.
 */
public final class RefreshDashboardJob implements PluginJob {

  public static final String NAME = "refresh-dashboard";
  static final String CRON = "*/" + DashboardSnapshots.REFRESH_MINUTES + " * * * *";

  private final DashboardSnapshots snapshots;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public RefreshDashboardJob(
      DashboardSnapshots snapshots, Supplier<BillingConfig> config, Clock clock) {
    this.snapshots = snapshots;
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
    Snapshot snapshot = snapshots.take(current, clock.instant());
    return JobResult.of(
        1, "the dashboard's usage patterns and accounts near their limits as of " + snapshot.at());
  }
}
