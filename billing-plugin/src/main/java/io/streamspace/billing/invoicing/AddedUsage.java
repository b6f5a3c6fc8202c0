package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Usage priced on top of what an invoice bills ({@link Repricing#adding}): one slice's usage of
 * a resource at a unit price, as a usage record holds it.
 *
 * @param savedUnitSeconds unit-seconds × (full price − unit price): what an activity factor
 *     saved (V78), 0 at the full price
 */
public record AddedUsage(
    UsageUnit unit,
    Instant sliceStart,
    BigDecimal unitSeconds,
    BigDecimal unitPrice,
    String activity,
    BigDecimal savedUnitSeconds) {

  /**
   * This usage in the bucket the invoice's own records of its slice are summed into ({@link
   * UsageClaims}): its billing period's part of the invoice, within its UTC hour when {@code
   * hourly}.
   */
  UsageBucket bucketIn(Invoice invoice, boolean hourly, BillingPeriods periods) {
    UsageClaims.Span span =
        UsageClaims.span(
            invoice,
            hourly ? sliceStart.truncatedTo(ChronoUnit.HOURS) : null,
            0,
            !sliceStart.isBefore(invoice.periodStart()),
            sliceStart,
            List.of(),
            periods);
    return new UsageBucket(
        unit, span.start(), span.end(), unitSeconds, unitPrice, activity, savedUnitSeconds);
  }
}
