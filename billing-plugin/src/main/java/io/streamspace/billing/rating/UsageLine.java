package io.streamspace.billing.rating;

import java.math.BigDecimal;

/**
 * Usage of one resource at one unit price over a period.
 *
 * @param quantity  summed at full precision
 * @param totalCost rounded to the currency's minor unit (the one place rounding happens)
 */
public record UsageLine(
    String resourceType, BigDecimal quantity, String unit, BigDecimal unitPrice,
    BigDecimal totalCost) {}
