package io.streamspace.billing.rating;

import java.math.BigDecimal;

/**
 * What one usage correction changed of a range's usage of one resource (issue 54), as {@code
 * /usage} tells it beside its lines, which count it already.
 *
 * @param quantity the quantity it added, in {@code unit}; negative when it took some off
 * @param cost that quantity at its unit prices, rounded on its own to the minor unit
 */
public record UsageCorrection(
    long correctionId, String resourceType, BigDecimal quantity, String unit, BigDecimal cost) {}
