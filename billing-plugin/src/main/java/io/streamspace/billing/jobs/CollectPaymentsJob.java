package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.collection.StripeCollections;
import io.streamspace.billing.payments.mirror.StripeCreditNotes;
import io.streamspace.billing.payments.mirror.StripeInvoiceMirror;
import io.streamspace.billing.payments.subscription.SubscriptionsOfClosedOrganizations;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.payments.webhook.CheckoutsPaidAfterClosing;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code collect-payments} job, every minute: sends the due invoice collections to Stripe
 * ({@link StripeCollections}) and the invoices to mirror into Stripe as Stripe invoices ({@link
 * StripeInvoiceMirror}), whatever stripeCollection is now: each queue finishes what it holds;
 * sends the credit notes' refunds and Stripe Credit Notes still pending ({@link
 * StripeCreditNotes}, after the mirror, whose Stripe invoices they may wait for);
 * checks every auto top-up rule and charges the top-ups due ({@link AutoTopUps}). Then
 * it gives back the Checkouts paid at or after their organization's closing that were granted
 * before the closing was known ({@link CheckoutsPaidAfterClosing}), and ends the Stripe
 * Subscriptions closed organizations started before ({@link SubscriptionsOfClosedOrganizations}).
 * While stripeEnabled is false it sends nothing; what is queued waits.
 */
public final class CollectPaymentsJob implements PluginJob {

  public static final String NAME = "collect-payments";
  static final String CRON = "* * * * *";

  private static final Logger log = LoggerFactory.getLogger(CollectPaymentsJob.class);

  private final StripeCollections collections;
  private final StripeInvoiceMirror mirror;
  private final StripeCreditNotes creditNotes;
  private final AutoTopUps autoTopUps;
  private final CheckoutsPaidAfterClosing paidAfterClosing;
  private final SubscriptionsOfClosedOrganizations closedSubscriptions;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CollectPaymentsJob(
      StripeCollections collections,
      StripeInvoiceMirror mirror,
      StripeCreditNotes creditNotes,
      AutoTopUps autoTopUps,
      CheckoutsPaidAfterClosing paidAfterClosing,
      SubscriptionsOfClosedOrganizations closedSubscriptions,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.collections = collections;
    this.mirror = mirror;
    this.creditNotes = creditNotes;
    this.autoTopUps = autoTopUps;
    this.paidAfterClosing = paidAfterClosing;
    this.closedSubscriptions = closedSubscriptions;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    BillingConfig current = config.get();
    if (!current.enabled() || !current.stripeEnabled()) {
      return JobResult.of(0, current.enabled() ? "stripe is disabled" : "billing is disabled");
    }
    return collect(RunCause.of(context));
  }

  /** Schedules the job every minute, whatever the config. */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  private JobResult collect(Cause cause) throws SQLException {
    StripeCollections.Run run = collections.collectDue(clock, cause);
    StripeInvoiceMirror.Run mirrored = mirror.mirrorDue(clock);
    StripeCreditNotes.Run credited = creditNotes.sendDue(clock);
    AutoTopUps.Run toppedUp = autoTopUps.chargeDue(clock, cause);
    CheckoutsPaidAfterClosing.Run givenBack = paidAfterClosing.giveBack(clock.instant(), cause);
    SubscriptionsOfClosedOrganizations.Run ended =
        closedSubscriptions.cancel(clock.instant(), cause);
    String summary =
        "sent %d; failed %d; cancelled %d; deferred %d"
            .formatted(run.sent(), run.failed(), run.cancelled(), run.deferred());
    if (mirrored.touched() > 0) {
      summary +=
          "; mirrored to Stripe: sent %d, failed %d, void %d, deferred %d"
              .formatted(
                  mirrored.sent(), mirrored.failed(), mirrored.voided(), mirrored.deferred());
    }
    if (credited.touched() > 0) {
      summary +=
          "; credit notes at Stripe: sent %d, failed %d, deferred %d"
              .formatted(credited.sent(), credited.failed(), credited.deferred());
    }
    if (toppedUp.touched() > 0) {
      summary +=
          "; auto top-ups: queued %d, sent %d, failed %d, cancelled %d, deferred %d"
              .formatted(
                  toppedUp.queued(),
                  toppedUp.sent(),
                  toppedUp.failed(),
                  toppedUp.cancelled(),
                  toppedUp.deferred());
    }
    int touched = givenBack.givenBack() + givenBack.failed() + toppedUp.touched();
    if (touched > 0) {
      summary +=
          "; Checkouts paid after their organization closed: given back %d, failed %d"
              .formatted(givenBack.givenBack(), givenBack.failed());
    }
    int endedOrFailed = ended.cancelled() + ended.failed();
    if (endedOrFailed > 0) {
      summary +=
          "; subscriptions of closed organizations: cancelled %d, failed %d"
              .formatted(ended.cancelled(), ended.failed());
    }
    touched += endedOrFailed + run.touched() + mirrored.touched() + credited.touched();
    if (touched > 0) {
      log.info("{}: {}", NAME, summary);
    }
    return JobResult.of(touched, summary);
  }
}
