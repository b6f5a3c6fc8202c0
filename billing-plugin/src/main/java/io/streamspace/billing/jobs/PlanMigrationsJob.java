package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.plans.MigrationRuns;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code plan-migrations} job, every minute: tells the organizations of the plan migrations
 * whose notice is due ({@code billing.plan.migration_scheduled}, once each), then moves those of
 * the migrations whose effective instant has come, at that instant ({@link MigrationRuns}). A
 * minute bounds how late a notice is told; the move's instant does not depend on when it runs.
 */
public final class PlanMigrationsJob implements PluginJob {

  public static final String NAME = "plan-migrations";
  static final String CRON = "* * * * *";

  private static final Logger log = LoggerFactory.getLogger(PlanMigrationsJob.class);

  private final MigrationRuns runs;
  private final Supplier<BillingConfig> config;

  public PlanMigrationsJob(MigrationRuns runs, Supplier<BillingConfig> config) {
    this.runs = runs;
    this.config = config;
  }

  /** Schedules the job (its cron does not depend on the config), in the billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    int told = runs.tell();
    int moved = runs.move(RunCause.of(context));
    String summary = "%d organization(s) told, %d moved".formatted(told, moved);
    if (told + moved > 0) {
      log.info("{}: {}", NAME, summary);
    }
    return JobResult.of(told + moved, summary);
  }
}
