package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.Finalization;
import io.streamspace.billing.invoicing.InvoiceDrafts;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code finalize-invoices} job, every 15 minutes (so a draft is finalized at most 15
 * minutes after its grace ends) and at the end of generate-invoices: opens the final invoice of
 * every organization closed since ({@link InvoiceDrafts#openFinal}: at most 15 minutes after
 * its org.deleted is stored), finalizes the drafts whose grace has passed, then marks sent
 * invoices past their due date overdue.
 *
 * <p>The cron run every 15 minutes may overlap a long generate-invoices, which finalizes too:
 * the two share the drafts by row lock, and each run's message says how many it finalized and
 * how many it found finalized by the other ({@link Finalization#summary}).
 */
public final class FinalizeInvoicesJob implements PluginJob {

  public static final String NAME = "finalize-invoices";
  static final String CRON = "*/15 * * * *";

  private static final Logger log = LoggerFactory.getLogger(FinalizeInvoicesJob.class);

  private final InvoiceDrafts drafts;
  private final InvoiceFinalizer finalizer;
  private final InvoiceStatusChanges statusChanges;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public FinalizeInvoicesJob(
      InvoiceDrafts drafts,
      InvoiceFinalizer finalizer,
      InvoiceStatusChanges statusChanges,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.drafts = drafts;
    this.finalizer = finalizer;
    this.statusChanges = statusChanges;
    this.config = config;
    this.clock = clock;
  }

  /** Schedules the job (its cron does not depend on the config). */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    return finalizeAt(clock.instant(), RunCause.of(context));
  }

  /**
   * Does everything due at {@code now}, its audit entries written with {@code cause}: the job,
   * or the admin who started the run by hand.
   */
  JobResult finalizeAt(Instant now, Cause cause) throws SQLException {
    BillingConfig current = config.get();
    int closed =
        drafts.openFinal(
            now,
            new BillingPeriods(current.invoiceDay(), current.billingTimeZone()),
            current.invoiceGrace(),
            cause);
    Finalization finalized;
    try {
      finalized = finalizer.finalizeDue(now, cause);
    } catch (SQLException | RuntimeException e) {
      // one bad draft must not stop dunning for everyone: mark overdue anyway, then fail the run
      try {
        statusChanges.markOverdue(now, cause);
      } catch (SQLException | RuntimeException overdueFailure) {
        e.addSuppressed(overdueFailure);
      }
      throw e;
    }
    int overdue = statusChanges.markOverdue(now, cause);
    String summary =
        "opened %d final invoices; %s; marked %d overdue"
            .formatted(closed, finalized.summary(), overdue);
    log.info("{}: {}", NAME, summary);
    return JobResult.of(closed + finalized.finalized() + overdue, summary);
  }
}
