package io.streamspace.plugin.api.event;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The resources a session holds: CPU cores, memory and storage in GB (10^9 bytes, as the
 * platform reports them). All three are non-negative.
 *
 * <p>Stable since 0.1.
 */
public record ResourceSize(BigDecimal cpuCores, BigDecimal memoryGb, BigDecimal storageGb) {

  public ResourceSize {
    requireNonNegative(cpuCores, "cpuCores");
    requireNonNegative(memoryGb, "memoryGb");
    requireNonNegative(storageGb, "storageGb");
  }

  private static void requireNonNegative(BigDecimal value, String name) {
    Objects.requireNonNull(value, name);
    if (value.signum() < 0) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
  }
}
