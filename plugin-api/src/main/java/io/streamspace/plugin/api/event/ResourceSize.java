package io.streamspace.plugin.api.event;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The resources a session holds: CPU cores, memory and storage in GB (10^9 bytes, as the
 * platform reports them), and any other resource it holds by the id of a held meter. All are
 * non-negative.
 *
 * @param cpuCores  the CPU cores held
 * @param memoryGb  the memory held, in GB
 * @param storageGb the storage level, in GB
 * @param resources the amounts of other resources held, by held meter id, an id that {@link
 *                  UsageReport#METER_ID} matches ({@code gpu}); each amount is in its meter's
 *                  unit. A meter not named keeps the amount an earlier event gave it. Sorted by
 *                  id, unmodifiable; empty when none is named (null is read as empty). Since 0.4.
 *
 * <p>Stable since 0.1.
 */
public record ResourceSize(
    BigDecimal cpuCores,
    BigDecimal memoryGb,
    BigDecimal storageGb,
    Map<String, BigDecimal> resources) {

  public ResourceSize {
    requireNonNegative(cpuCores, "cpuCores");
    requireNonNegative(memoryGb, "memoryGb");
    requireNonNegative(storageGb, "storageGb");
    TreeMap<String, BigDecimal> held = new TreeMap<>();
    if (resources != null) {
      resources.forEach(
          (meter, amount) -> {
            Objects.requireNonNull(meter, "resources key");
            if (!UsageReport.METER_ID.matcher(meter).matches()) {
              throw new IllegalArgumentException("resources key " + meter + " is no meter id");
            }
            requireNonNegative(amount, "resources." + meter);
            held.put(meter, amount);
          });
    }
    resources = Collections.unmodifiableSortedMap(held);
  }

  /** The three sizes without other resources, as before 0.4. */
  public ResourceSize(BigDecimal cpuCores, BigDecimal memoryGb, BigDecimal storageGb) {
    this(cpuCores, memoryGb, storageGb, Map.of());
  }

  private static void requireNonNegative(BigDecimal value, String name) {
    Objects.requireNonNull(value, name);
    if (value.signum() < 0) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
  }
}
