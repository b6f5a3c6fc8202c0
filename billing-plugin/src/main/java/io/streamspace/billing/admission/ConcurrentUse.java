package io.streamspace.billing.admission;

import java.math.BigDecimal;

/**
 * What an account uses at an instant.
 *
 * @param planId its plan, null if not known yet (the default plan applies)
 * @param cpuCores the cores of its open sessions
 * @param memoryGb the memory of its open sessions
 * @param activeSessions how many sessions it has open
 * @param storageGb its storage level
 */
record ConcurrentUse(
    String planId,
    BigDecimal cpuCores,
    BigDecimal memoryGb,
    int activeSessions,
    BigDecimal storageGb) {

  static final ConcurrentUse NONE =
      new ConcurrentUse(null, BigDecimal.ZERO, BigDecimal.ZERO, 0, BigDecimal.ZERO);
}
