package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What a capped member holds at once in their open sessions under one organization, and their
 * cap there.
 *
 * @param cap the capped meters (of {@link io.streamspace.billing.caps.MemberCap#METERS}), each
 *     with its cap
 * @param cpuCores the cores of the member's open sessions under the organization
 * @param memoryGb their memory
 * @param activeSessions how many they are
 */
record MemberUse(
    Map<Meter, BigDecimal> cap, BigDecimal cpuCores, BigDecimal memoryGb, int activeSessions) {

  /** What the member holds of that concurrent meter. */
  BigDecimal used(Meter meter) {
    if (meter.equals(Meter.CPU_CORES)) {
      return cpuCores;
    } else if (meter.equals(Meter.MEMORY_GB)) {
      return memoryGb;
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      return BigDecimal.valueOf(activeSessions);
    }
    throw new IllegalArgumentException("not a concurrent meter: " + meter);
  }
}
