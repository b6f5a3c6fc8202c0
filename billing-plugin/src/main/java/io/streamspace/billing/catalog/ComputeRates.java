package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Unit prices, in the configured currency, at full precision (never rounded).
 *
 * @param cpuPerCoreHour    price of one CPU core for one hour
 * @param memoryPerGbHour   price of one GB of memory for one hour
 * @param storagePerGbMonth price of one GB of storage for one month (730 hours)
 */
public record ComputeRates(
    BigDecimal cpuPerCoreHour, BigDecimal memoryPerGbHour, BigDecimal storagePerGbMonth) {

  public ComputeRates {
    Objects.requireNonNull(cpuPerCoreHour, "cpuPerCoreHour");
    Objects.requireNonNull(memoryPerGbHour, "memoryPerGbHour");
    Objects.requireNonNull(storagePerGbMonth, "storagePerGbMonth");
  }
}
