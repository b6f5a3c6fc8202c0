package io.streamspace.billing;

import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.http.ReportRoutes;
import io.streamspace.billing.http.UsageRoutes;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.jobs.CalculateUsageJob;
import io.streamspace.billing.jobs.CheckRangeIndexesJob;
import io.streamspace.billing.jobs.RollUpUsageJob;
import io.streamspace.billing.prepaid.Burns;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.rating.UsageCalculator;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.billing.reports.UsageReportQuery;
import io.streamspace.billing.spend.SpendingLimits;

/**
 * Usage turned into priced records by calculate-usage (scheduled), which then checks spending
 * limits, and summed per day by roll-up-usage (scheduled), the records' BRIN indexes checked by
 * check-range-indexes (scheduled); what a period costs so far; and the routes that read usage:
 * {@code /usage} and the admin reports.
 */
record UsageWiring(
    InvoiceCalculator calculator, SpendingLimits spendingLimits, CalculateUsageJob calculateUsage) {

  static UsageWiring wire(Wiring wiring, AccountHolds holds) {
    InvoiceCalculator calculator = new InvoiceCalculator(wiring.dataSource(), wiring.config());
    SpendingLimits spendingLimits =
        new SpendingLimits(
            wiring.dataSource(),
            calculator,
            wiring.accounts(),
            holds,
            wiring.events(),
            wiring.config(),
            wiring.clock());
    CalculateUsageJob calculateUsage =
        new CalculateUsageJob(
            new UsageCalculator(
                wiring.dataSource(),
                // burns measured by the invoice's own figure of the period's charged usage
                new Burns(
                    (connection, orgId, currency, periodStart) ->
                        calculator
                            .periodSoFar(connection, orgId, currency, periodStart)
                            .chargedUsage()),
                wiring.lane()),
            spendingLimits::checkAll,
            wiring.config(),
            wiring.clock());
    calculateUsage.scheduleOn(wiring.scheduler());
    new RollUpUsageJob(new UsageRollup(wiring.dataSource(), wiring.lane()), wiring.config())
        .scheduleOn(wiring.scheduler());
    new CheckRangeIndexesJob(wiring.dataSource(), wiring.config()).scheduleOn(wiring.scheduler());
    UsageRecordRepository usageRecords = new UsageRecordRepository(wiring.dataSource());
    new UsageRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            usageRecords,
            new MemberUsageRepository(wiring.dataSource()),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new ReportRoutes(
            new UsageReportQuery(wiring.dataSource()),
            usageRecords,
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return new UsageWiring(calculator, spendingLimits, calculateUsage);
  }
}
