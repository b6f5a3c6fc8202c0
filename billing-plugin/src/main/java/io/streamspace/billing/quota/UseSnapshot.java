package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Set;

/**
 * What an account uses of every meter at one instant: its open sessions' cores, memory, count and
 * what they hold of the held meters, its storage level, and its counters in the current billing
 * period; and what its packs add. Read afresh from the database for each request or job
 * (QuotaReadings), never kept: admission's own AccountUse is the one that lives in memory and
 * follows events.
 *
 * @param planId the plan it is on now
 * @param planVersion the version of it its plan term is on, whose limits apply
 * @param packAdds what its capacity packs active at that instant add to its limits, per meter
 * @param overageConfirmed the meters whose overage it confirmed for the current billing period
 */
public record UseSnapshot(
    String orgId,
    String planId,
    int planVersion,
    Currency currency,
    Map<Meter, BigDecimal> used,
    Map<Meter, BigDecimal> packAdds,
    Set<Meter> overageConfirmed) {

  public UseSnapshot {
    used = Map.copyOf(used);
    packAdds = Map.copyOf(packAdds);
    overageConfirmed = Set.copyOf(overageConfirmed);
  }

  /** The use of that meter; zero when there is none. */
  public BigDecimal of(Meter meter) {
    return used.getOrDefault(meter, BigDecimal.ZERO);
  }
}
