package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoiceDrafts;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code generate-invoices} job, at midnight of the invoice day in the billing time zone:
 * opens a draft for every account for the period that ended most recently (so a late or
 * repeated run opens the same ones, and a re-run opens none), then runs finalize-invoices, so
 * that running it does everything that is due. A run an admin started by hand writes its
 * entries in their name ({@link RunCause}).
 */
public final class GenerateInvoicesJob implements PluginJob {

  public static final String NAME = "generate-invoices";

  private static final Logger log = LoggerFactory.getLogger(GenerateInvoicesJob.class);

  private final InvoiceDrafts drafts;
  private final FinalizeInvoicesJob finalize;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public GenerateInvoicesJob(
      InvoiceDrafts drafts,
      FinalizeInvoicesJob finalize,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.drafts = drafts;
    this.finalize = finalize;
    this.config = config;
    this.clock = clock;
  }

  /** Schedules (or reschedules) the job on the invoice day, read in the billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    BillingConfig current = config.get();
    scheduler.schedule(
        NAME, "0 0 %d * *".formatted(current.invoiceDay()), current.billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    Instant now = clock.instant();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant end = periods.periodStart(now);
    Instant start = periods.periodStart(end.minusNanos(1));
    int opened =
        drafts.generate(start, end, end.plus(current.invoiceGrace()), now, RunCause.of(context));
    log.info("{}: opened {} drafts for [{}, {})", NAME, opened, start, end);
    // what it finalizes is finalize-invoices' work, and is told so unless an admin started it
    JobResult finalized = finalize.finalizeAt(now, RunCause.of(context, FinalizeInvoicesJob.NAME));
    return JobResult.of(
        opened + finalized.rowsTouched(),
        "opened %d drafts for %s..%s; %s".formatted(opened, start, end, finalized.message()));
  }
}
