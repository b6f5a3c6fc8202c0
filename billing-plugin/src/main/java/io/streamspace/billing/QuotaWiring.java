package io.streamspace.billing;

import io.streamspace.billing.analytics.LeadDays;
import io.streamspace.billing.analytics.LeadNotices;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.credits.CreditExpiry;
import io.streamspace.billing.http.AccountLockRoutes;
import io.streamspace.billing.http.OverageRoutes;
import io.streamspace.billing.http.QuotaRoutes;
import io.streamspace.billing.http.SpendingLimitRoutes;
import io.streamspace.billing.http.SummaryRoutes;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.packs.PackNotices;
import io.streamspace.billing.prepaid.Reservations;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.quota.OverageConfirmation;
import io.streamspace.billing.quota.OverageConfirmations;
import io.streamspace.billing.quota.QuotaAlerts;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.billing.reserve.LimitReservations;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.billing.store.purchase.EntitlementNotices;
import java.util.function.Consumer;

/**
 * Quotas: check-quotas (scheduled) sends the alerts, suspends accounts over a hard limit after
 * the grace, places and lifts the read-only lock and the spending-limit hold, and sends the packs'
 * notices; the quota and overage confirmation routes; the routes of what it places, the
 * spending limits and the payment lock; and the summary of them all.
 */
record QuotaWiring(OverLimitSuspensions suspensions, CheckQuotasJob checkQuotas) {

  static QuotaWiring wire(
      Wiring wiring,
      Quotas quotas,
      HoldsWiring holding,
      SpendingLimits spendingLimits,
      Consumer<OverageConfirmation> confirmed,
      MemberCapsInMemory caps) {
    OverLimitSuspensions suspensions =
        new OverLimitSuspensions(
            wiring.dataSource(), quotas, holding.holds(), wiring.config(), wiring.clock());
    CheckQuotasJob checkQuotas =
        new CheckQuotasJob(
            quotas,
            new QuotaAlerts(wiring.dataSource(), wiring.events(), wiring.clock()),
            suspensions,
            holding.paymentLock(),
            spendingLimits,
            holding.holds(),
            new PackNotices(
                wiring.dataSource(),
                wiring.events()::packExpiring,
                wiring.events()::packExpired,
                wiring.clock()),
            new CreditExpiry(wiring.dataSource(), wiring.clock()),
            new EntitlementNotices(wiring.dataSource(), wiring.events(), wiring.clock()),
            new LeadDays(wiring.dataSource(), wiring.config(), wiring.clock()),
            new LeadNotices(wiring.dataSource(), wiring.events(), wiring.config(), wiring.clock()),
            new Reservations(wiring.dataSource(), wiring.clock()),
            new LimitReservations(wiring.dataSource(), wiring.clock()),
            wiring.lane(),
            wiring.config());
    checkQuotas.scheduleOn(wiring.scheduler());
    new QuotaRoutes(wiring.orgAccess(), quotas, suspensions, caps).register(wiring.routes());
    new OverageRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new OverageConfirmations(wiring.dataSource()),
            confirmed,
            holding.readOnlyLock(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new SpendingLimitRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            spendingLimits,
            holding.readOnlyLock(),
            wiring.clock())
        .register(wiring.routes());
    new AccountLockRoutes(wiring.accounts(), holding.paymentLock()).register(wiring.routes());
    new SummaryRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            quotas,
            spendingLimits,
            holding.holds(),
            wiring.config())
        .register(wiring.routes());
    return new QuotaWiring(suspensions, checkQuotas);
  }
}
