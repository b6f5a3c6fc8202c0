package io.streamspace.billing.quota;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A plan's limit of every meter, resolved from config (see {@code BillingConfig.limitsOf}): a
 * meter the plan does not limit is unlimited.
 */
public record PlanLimits(Map<Meter, Limit> byMeter) {

  private static final Limit UNLIMITED = new Limit(null, LimitKind.HARD);

  public PlanLimits {
    byMeter = Map.copyOf(Objects.requireNonNull(byMeter, "byMeter"));
  }

  /** The limit of that meter; unlimited when the plan sets none. */
  public Limit of(Meter meter) {
    return byMeter.getOrDefault(meter, UNLIMITED);
  }

  /** Every meter's limit, unlimited ones included, in the meters' order. */
  public Map<Meter, Limit> all() {
    Map<Meter, Limit> all = new EnumMap<>(Meter.class);
    for (Meter meter : Meter.values()) {
      all.put(meter, of(meter));
    }
    return all;
  }
}
