package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code roll-up-usage} job, every minute: adds the usage records rated since its last run to
 * the daily rollup the admin reports and usage by member read ({@link UsageRollup}), in steps of
 * its own transactions, so calculate-usage writes nothing more; the reads add what it has not
 * rolled up yet from the records, so a late run of it makes no answer wrong, only slower (a run
 * that finds a rating run in flight leaves it to the next). Its first run (and the first after
 * the billing zone changes) builds the rollup from every record.
 */
public final class RollUpUsageJob implements PluginJob {

  public static final String NAME = "roll-up-usage";
  static final String CRON = "* * * * *";

  private static final Logger log = LoggerFactory.getLogger(RollUpUsageJob.class);

  private final UsageRollup rollup;
  private final Supplier<BillingConfig> config;

  public RollUpUsageJob(UsageRollup rollup, Supplier<BillingConfig> config) {
    this.rollup = rollup;
    this.config = config;
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
    UsageRollup.Outcome outcome = rollup.rollUp(current.billingTimeZone());
    log.debug("{}: {}", NAME, outcome.summary());
    return JobResult.of(outcome.rows(), outcome.summary());
  }
}
