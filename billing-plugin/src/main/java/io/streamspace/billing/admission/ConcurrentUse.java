package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Set;

/**
 * What an account uses at an instant.
 *
 * @param planId its plan, null if not known yet (the default plan applies)
 * @param planVersion the version of its plan it is on, null if not known yet (the plan as
 *     configured)
 * @param cpuCores the cores of its open sessions
 * @param memoryGb the memory of its open sessions
 * @param activeSessions how many sessions it has open
 * @param held what its open sessions hold of each held meter, by meter id: the sum of their
 *     amounts (a meter none holds is left out)
 * @param storageGb its storage level
 * @param currency what it is billed in, null if not known yet (the configured one)
 * @param counters its period counters in the current billing period
 * @param overageConfirmed the counters whose overage it confirmed for the current period
 * @param packAdds what its packs active at that instant add to its limits
 */
record ConcurrentUse(
    String planId,
    Integer planVersion,
    BigDecimal cpuCores,
    BigDecimal memoryGb,
    int activeSessions,
    Map<String, BigDecimal> held,
    BigDecimal storageGb,
    Currency currency,
    Map<Meter, BigDecimal> counters,
    Set<Meter> overageConfirmed,
    Map<Meter, BigDecimal> packAdds) {

  static final ConcurrentUse NONE =
      new ConcurrentUse(
          null,
          null,
          BigDecimal.ZERO,
          BigDecimal.ZERO,
          0,
          Map.of(),
          BigDecimal.ZERO,
          null,
          Map.of(),
          Set.of(),
          Map.of());

  ConcurrentUse {
    held = Map.copyOf(held);
    counters = Map.copyOf(counters);
    overageConfirmed = Set.copyOf(overageConfirmed);
    packAdds = Map.copyOf(packAdds);
  }

  /** What its open sessions hold of that held meter; zero when none. */
  BigDecimal held(Meter meter) {
    return held.getOrDefault(meter.configName(), BigDecimal.ZERO);
  }

  /** The use of that period counter; zero when there is none. */
  BigDecimal counter(Meter meter) {
    return counters.getOrDefault(meter, BigDecimal.ZERO);
  }
}
