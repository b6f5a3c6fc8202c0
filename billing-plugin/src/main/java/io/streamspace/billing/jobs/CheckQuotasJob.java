package io.streamspace.billing.jobs;

import io.streamspace.billing.analytics.LeadDays;
import io.streamspace.billing.analytics.LeadNotices;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditExpiry;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.pace.StepPause;
import io.streamspace.billing.packs.PackNotices;
import io.streamspace.billing.prepaid.Reservations;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.quota.QuotaAlerts;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.billing.reserve.LimitReservations;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.billing.store.purchase.EntitlementNotices;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check-quotas} job: releases the holds of closed organizations ({@link
 * AccountHolds#releaseClosed}: at most one run interval after the org.deleted is stored), reads
 * every account's quota with the config in effect when it runs and sends the alerts not sent
 * yet this period (alerts are at most one run interval late), suspends the accounts whose grace
 * over a hard limit has ended and resumes those back within their limits ({@link
 * OverLimitSuspensions}, also at most one interval late), locks read-only the accounts with an
 * invoice overdue past {@code paymentGraceDays} and unlocks those with none left ({@link
 * PaymentLock#check}, as late), checks the spending limits ({@link SpendingLimits#checkAll}, as
 * late), then resumes the sessions a lift left suspended (a crash or a failing host) and
 * suspends again any session that started on a held account ({@link AccountHolds#enforce}), and
 * announces one-time packs expiring and expired ({@link PackNotices}, also at most one interval
 * late: a pack's limits end at its instant regardless, the notices are what waits for the run),
 * and records the credits that expired with something left ({@link CreditExpiry}: one indexed
 * step, a day after their expiry, each with its {@code credit.expired} audit entry), and
 * announces the store items' time-limited accesses that ended ({@link EntitlementNotices}: the
 * access ends at its second whatever the run; the notice is at most one interval late), and
 * keeps the day's shares of limits of the organizations on a lead plan near them ({@link
 * LeadDays}, a page at a time with the alerts) and announces the sales leads found ({@link
 * LeadNotices}: once per organization, reason and 30-day window), and releases the prepaid
 * reservations of sessions that ended without their terminate releasing them or never started
 * within {@code holdMinutes} ({@link Reservations#releaseStale}, at most one interval late), and
 * extends the open ones of running sessions to cover their accrued cost not burned yet and their
 * next {@code holdMinutes}, as far as what is available goes ({@link Reservations#extend}); and
 * likewise releases the reservations against spending limits and members' caps, a spending
 * limit's also once {@code holdMinutes} have passed since it was made ({@link
 * LimitReservations#releaseStale}).
 */
public final class CheckQuotasJob implements PluginJob {

  public static final String NAME = "check-quotas";

  private static final Logger log = LoggerFactory.getLogger(CheckQuotasJob.class);

  /** How many accounts' quotas a run reads and checks at a time. */
  static final int PAGE = 1_000;

  private final Quotas quotas;
  private final QuotaAlerts alerts;
  private final OverLimitSuspensions suspensions;
  private final PaymentLock paymentLock;
  private final SpendingLimits spendingLimits;
  private final AccountHolds holds;
  private final PackNotices packNotices;
  private final CreditExpiry creditExpiry;
  private final EntitlementNotices entitlementNotices;
  private final LeadDays leadDays;
  private final LeadNotices leadNotices;
  private final Reservations reservations;
  private final LimitReservations limitReservations;
  private final BackgroundLane lane;
  private final Supplier<BillingConfig> config;

  public CheckQuotasJob(
      Quotas quotas,
      QuotaAlerts alerts,
      OverLimitSuspensions suspensions,
      PaymentLock paymentLock,
      SpendingLimits spendingLimits,
      AccountHolds holds,
      PackNotices packNotices,
      CreditExpiry creditExpiry,
      EntitlementNotices entitlementNotices,
      LeadDays leadDays,
      LeadNotices leadNotices,
      Reservations reservations,
      LimitReservations limitReservations,
      BackgroundLane lane,
      Supplier<BillingConfig> config) {
    this.quotas = quotas;
    this.alerts = alerts;
    this.suspensions = suspensions;
    this.paymentLock = paymentLock;
    this.spendingLimits = spendingLimits;
    this.holds = holds;
    this.packNotices = packNotices;
    this.creditExpiry = creditExpiry;
    this.entitlementNotices = entitlementNotices;
    this.leadDays = leadDays;
    this.leadNotices = leadNotices;
    this.reservations = reservations;
    this.limitReservations = limitReservations;
    this.lane = lane;
    this.config = config;
  }

  /** Schedules (or reschedules) the job on quotaCheckInterval, read in the billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    BillingConfig current = config.get();
    scheduler.schedule(NAME, current.quotaCheckInterval(), current.billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!config.get().enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    // on the background lane: at the hour it meets calculate-usage's run beside intake
    return lane.hold(() -> check(context));
  }

  private JobResult check(JobContext context) throws SQLException {
    // what it changes is the job's, or the admin's who started it by hand
    Cause cause = RunCause.of(context);
    // first, so that no other check lifts a closed organization's hold for its own reason
    int released = holds.releaseClosed(cause);
    // a page of accounts at a time: the run's memory does not grow with the accounts stored;
    // paced while events are metered, letting go of the lane between two pages
    int[] sent = {0};
    int[] changed = {0};
    quotas.inPages(
        PAGE,
        StepPause.whileMetering(lane),
        page -> {
          sent[0] += alerts.send(page);
          changed[0] += suspensions.check(page, cause);
          leadDays.keep(page);
        });
    PaymentLock.Checked payments = paymentLock.check(cause);
    int spending = spendingLimits.checkAll(cause);
    int held = holds.enforce();
    int notices = packNotices.send(config.get().packExpiryNotice());
    int expired = creditExpiry.markExpired(cause);
    int ended = entitlementNotices.send();
    leadDays.forgetOld();
    int leads = leadNotices.send();
    int reservationsReleased = reservations.releaseStale(config.get().hold());
    int reservationsExtended = reservations.extend(config.get());
    int limitsReleased = limitReservations.releaseStale(config.get().hold());
    String summary =
        ("%d quota alert(s) sent; %d account(s) suspended or resumed; %d locked, %d unlocked;"
                + " %d spending limit change(s); %d hold(s) of closed organizations released;"
                + " %d held account(s) enforced; %d pack notice(s) sent;"
                + " %d expired credit(s) recorded; %d store access(es) announced ended;"
                + " %d sales lead(s) announced; %d prepaid reservation(s) released,"
                + " %d extended; %d limit reservation(s) released")
            .formatted(
                sent[0],
                changed[0],
                payments.locked(),
                payments.unlocked(),
                spending,
                released,
                held,
                notices,
                expired,
                ended,
                leads,
                reservationsReleased,
                reservationsExtended,
                limitsReleased);
    log.info("{}: {}", NAME, summary);
    return JobResult.of(sent[0], summary);
  }
}
