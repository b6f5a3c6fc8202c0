package io.streamspace.billing.jobs;

import io.streamspace.billing.advice.AdviceNotices;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.forecast.BudgetAlerts;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check-budgets} job, every hour at half past (after the hour's calculate-usage run
 * at its default schedule): forecasts every organization with a budget and announces each budget
 * the forecast's p50 path crosses before the period ends, once per budget and period ({@link
 * BudgetAlerts}). A forecast moves with whole days of history, so an hour is soon enough to warn
 * days before the spend crosses. Then the advisor's step ({@link AdviceNotices}): the
 * organizations whose last closed period would have cost them more than adviceMinSaving less on
 * another plan or with a pack are told so, once per period.
 */
public final class CheckBudgetsJob implements PluginJob {

  public static final String NAME = "check-budgets";
  static final String CRON = "30 * * * *";

  private static final Logger log = LoggerFactory.getLogger(CheckBudgetsJob.class);

  private final BudgetAlerts alerts;
  private final AdviceNotices advice;
  private final Supplier<BillingConfig> config;

  public CheckBudgetsJob(
      BudgetAlerts alerts, AdviceNotices advice, Supplier<BillingConfig> config) {
    this.alerts = alerts;
    this.advice = advice;
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
    int sent = alerts.send();
    int advised = advice.send();
    String summary = "%d budget alert(s), %d advice notice(s) sent".formatted(sent, advised);
    log.info("{}: {}", NAME, summary);
    return JobResult.of(sent + advised, summary);
  }
}
