package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.plans.TrialRuns;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code trials} job, every minute: tells the organizations whose trial ends in three days
 * ({@code billing.trial.will_end}, once each), then ends the trials whose end has come, at that
 * instant ({@link TrialRuns}). A minute bounds how late a notice is told and how long a trial
 * term shows as running past its end; the end's instant does not depend on when it runs.
 */
public final class TrialsJob implements PluginJob {

  public static final String NAME = "trials";
  static final String CRON = "* * * * *";

  private static final Logger log = LoggerFactory.getLogger(TrialsJob.class);

  private final TrialRuns runs;
  private final Supplier<BillingConfig> config;

  public TrialsJob(TrialRuns runs, Supplier<BillingConfig> config) {
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
    int ended = runs.end(RunCause.of(context));
    String summary = "%d organization(s) told, %d trial(s) ended".formatted(told, ended);
    if (told + ended > 0) {
      log.info("{}: {}", NAME, summary);
    }
    return JobResult.of(told + ended, summary);
  }
}
