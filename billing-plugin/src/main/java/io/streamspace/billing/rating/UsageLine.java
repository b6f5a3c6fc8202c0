package io.streamspace.billing.rating;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;

/**
 * Usage of one resource at one unit price over a period, as reported.
 *
 * @param quantity  for display only: rounded to {@link UsageUnit#QUANTITY_SCALE} places
 * @param totalCost rounded to the currency's minor unit by {@link Money#lineTotal}
 */
public record UsageLine(
    String resourceType,
    BigDecimal quantity,
    String unit,
    BigDecimal unitPrice,
    BigDecimal totalCost) {}
