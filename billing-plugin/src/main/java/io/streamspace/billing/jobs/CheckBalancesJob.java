package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hibernation.Hibernation;
import io.streamspace.billing.winddown.WindDown;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check-balances} job, on balanceCheckInterval (every minute by default, so that a
 * warning at warnMinutes of runway comes minutes before the balance is spent): the wind-down of
 * the prepaid organizations running sessions ({@link WindDown}): a low balance announced, a spent
 * one's sessions suspended, and resumed if money arrived without them resuming at once; and the
 * hibernation of the sessions idle for hibernateAfterIdleMinutes ({@link Hibernation}).
 */
public final class CheckBalancesJob implements PluginJob {

  public static final String NAME = "check-balances";

  private static final Logger log = LoggerFactory.getLogger(CheckBalancesJob.class);

  private final WindDown windDown;
  private final Hibernation hibernation;
  private final Supplier<BillingConfig> config;

  public CheckBalancesJob(
      WindDown windDown, Hibernation hibernation, Supplier<BillingConfig> config) {
    this.windDown = windDown;
    this.hibernation = hibernation;
    this.config = config;
  }

  /** Schedules (or reschedules) the job on balanceCheckInterval, in the billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    BillingConfig current = config.get();
    scheduler.schedule(NAME, current.balanceCheckInterval(), current.billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    WindDown.Checked checked = windDown.check(RunCause.of(context));
    int hibernated = hibernation.check();
    String summary =
        "%d low balance(s) announced; %d organization(s) suspended, %d resumed; %d session(s)"
                .formatted(checked.warned(), checked.suspended(), checked.resumed(), hibernated)
            + " hibernated";
    log.info("{}: {}", NAME, summary);
    return JobResult.of(
        checked.warned() + checked.suspended() + checked.resumed() + hibernated, summary);
  }
}
