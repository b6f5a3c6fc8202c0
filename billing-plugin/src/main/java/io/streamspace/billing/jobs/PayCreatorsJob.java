package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.store.payout.CreatorPayouts;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.YearMonth;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pay-creators} job, daily at 06:00 in the billing time zone: queues the creators'
 * payouts due for the last closed month (nothing more once queued) and sends the payouts due now,
 * retries of failed ones included ({@link CreatorPayouts}). While billing is disabled it does
 * nothing; while stripeEnabled is false it queues but sends nothing.
 */
public final class PayCreatorsJob implements PluginJob {

  public static final String NAME = "pay-creators";
  static final String CRON = "0 6 * * *";

  private static final Logger log = LoggerFactory.getLogger(PayCreatorsJob.class);

  private final CreatorPayouts payouts;
  private final Supplier<BillingConfig> config;

  public PayCreatorsJob(CreatorPayouts payouts, Supplier<BillingConfig> config) {
    this.payouts = payouts;
    this.config = config;
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    YearMonth period = payouts.lastClosedMonth();
    CreatorPayouts.Run run = payouts.run(period, RunCause.of(context));
    String summary =
        "%s: queued %d; paid %d; failed %d%s"
            .formatted(
                period,
                run.queued(),
                run.paid(),
                run.failed(),
                run.note() == null ? "" : "; " + run.note());
    if (run.touched() > 0) {
      log.info("{}: {}", NAME, summary);
    }
    return JobResult.of(run.touched(), summary);
  }

  /** Schedules the job daily, whatever the config. */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }
}
