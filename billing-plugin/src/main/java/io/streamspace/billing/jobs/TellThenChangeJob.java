package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.plans.MigrationRuns;
import io.streamspace.billing.plans.TrialRuns;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job every minute that first tells the organizations of a change coming to them (once each),
 * then makes the changes whose instant has come, at that instant. A minute bounds how late a
 * notice is told and how long the old state shows past the change's instant; the instant does not
 * depend on when it runs. Two jobs are made of it:
 *
 * <ul>
 *   <li>{@value #PLAN_MIGRATIONS} ({@link #planMigrations}): the organizations a plan migration's
 *       notice is due for ({@code billing.plan.migration_scheduled}), then the migrations whose
 *       effective instant has come move theirs ({@link MigrationRuns});
 *   <li>{@value #TRIALS} ({@link #trials}): the organizations whose trial ends in three days
 *       ({@code billing.trial.will_end}), then the trials whose end has come end, converted or
 *       lapsed ({@link TrialRuns}).
 * </ul>
 */
public final class TellThenChangeJob implements PluginJob {

  public static final String PLAN_MIGRATIONS = "plan-migrations";
  public static final String TRIALS = "trials";
  static final String CRON = "* * * * *";

  private static final Logger log = LoggerFactory.getLogger(TellThenChangeJob.class);

  /** What the job tells, then changes; each answers how many organizations. */
  private interface Steps {
    int tell() throws SQLException;

    int change(Cause cause) throws SQLException;
  }

  private final String name;
  private final String changed;
  private final Steps steps;
  private final Supplier<BillingConfig> config;

  private TellThenChangeJob(
      String name, String changed, Steps steps, Supplier<BillingConfig> config) {
    this.name = name;
    this.changed = changed;
    this.steps = steps;
    this.config = config;
  }

  /** The {@value #PLAN_MIGRATIONS} job. */
  public static TellThenChangeJob planMigrations(
      MigrationRuns runs, Supplier<BillingConfig> config) {
    return new TellThenChangeJob(
        PLAN_MIGRATIONS,
        "moved",
        new Steps() {
          @Override
          public int tell() throws SQLException {
            return runs.tell();
          }

          @Override
          public int change(Cause cause) throws SQLException {
            return runs.move(cause);
          }
        },
        config);
  }

  /** The {@value #TRIALS} job. */
  public static TellThenChangeJob trials(TrialRuns runs, Supplier<BillingConfig> config) {
    return new TellThenChangeJob(
        TRIALS,
        "trial(s) ended",
        new Steps() {
          @Override
          public int tell() throws SQLException {
            return runs.tell();
          }

          @Override
          public int change(Cause cause) throws SQLException {
            return runs.end(cause);
          }
        },
        config);
  }

  /** Schedules the job (its cron does not depend on the config), in the billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(name, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    int told = steps.tell();
    int done = steps.change(RunCause.of(context));
    String summary = "%d organization(s) told, %d %s".formatted(told, done, changed);
    if (told + done > 0) {
      log.info("{}: {}", name, summary);
    }
    return JobResult.of(told + done, summary);
  }
}
