package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The billed resources and their units. Usage is measured and stored in unit-seconds (size ×
 * seconds: core-seconds, GB-seconds), which are finite decimals and so exact in {@code numeric};
 * this is the one place that knows how many unit-seconds make one billed unit. Dividing is left
 * to the report, once per line (see {@link #quantity} and {@link Money#lineTotal}).
 */
public enum UsageUnit implements LineUnit {
  CPU("cpu", "core-hours", 3600),
  MEMORY("memory", "gb-hours", 3600),
  /** GB-months of 730 hours (8760 hours a year / 12), the same for every month. */
  STORAGE("storage", "gb-months", 3600 * 730);

  /**
   * Decimal places of a reported quantity. Quantities are for display only: money is computed
   * from the exact unit-seconds, never from a rounded quantity.
   */
  public static final int QUANTITY_SCALE = 6;

  private final String resourceType;
  private final String label;
  private final BigDecimal unitSecondsPerUnit;

  UsageUnit(String resourceType, String label, int unitSecondsPerUnit) {
    this.resourceType = resourceType;
    this.label = label;
    this.unitSecondsPerUnit = BigDecimal.valueOf(unitSecondsPerUnit);
  }

  /** The resource as stored and reported: {@code cpu}, {@code memory}, {@code storage}. */
  @Override
  public String resourceType() {
    return resourceType;
  }

  /** The unit as stored and reported: {@code core-hours}, {@code gb-hours}, {@code gb-months}. */
  @Override
  public String label() {
    return label;
  }

  /** How many unit-seconds make one unit: the divisor of quantities and line totals. */
  public BigDecimal unitSecondsPerUnit() {
    return unitSecondsPerUnit;
  }

  /**
   * The display quantity of exact unit-seconds: one division, rounded half up to
   * {@link #QUANTITY_SCALE} places, trailing zeros stripped ({@code 20}, {@code 0.757222}).
   */
  public BigDecimal quantity(BigDecimal unitSeconds) {
    return unitSeconds
        .divide(unitSecondsPerUnit, QUANTITY_SCALE, RoundingMode.HALF_UP)
        .stripTrailingZeros();
  }

  /** The unit of a stored resource type. */
  public static UsageUnit ofResourceType(String resourceType) {
    return Arrays.stream(values())
        .filter(u -> u.resourceType.equals(resourceType))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown resource " + resourceType));
  }
}
