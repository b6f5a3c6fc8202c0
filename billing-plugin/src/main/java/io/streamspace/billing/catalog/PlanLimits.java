package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A plan's limit of every meter, resolved from config (see {@code BillingConfig.limitsOf}): a
 * meter the plan does not limit is unlimited. An account's limits are its plan's {@link
 * #raisedBy raised by} what its active capacity packs add.
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

  /**
   * These limits raised by what active packs add ({@code adds}, summed per meter): the one rule
   * of an account's limit, plan plus packs. A limited meter's amount grows by its addition and
   * keeps its kind (a hard limit raised stays hard); an unlimited meter stays unlimited.
   */
  public PlanLimits raisedBy(Map<Meter, BigDecimal> adds) {
    if (adds.isEmpty()) {
      return this;
    }
    Map<Meter, Limit> raised = new LinkedHashMap<>();
    byMeter.forEach(
        (meter, limit) ->
            raised.put(
                meter,
                limit.unlimited()
                    ? limit
                    : new Limit(
                        limit.amount().add(adds.getOrDefault(meter, BigDecimal.ZERO)),
                        limit.kind())));
    return new PlanLimits(raised);
  }

  /** Every meter's limit, unlimited ones included, in the catalog's order. */
  public Map<Meter, Limit> all(Meters meters) {
    Map<Meter, Limit> all = new LinkedHashMap<>();
    for (Meter meter : meters.all()) {
      all.put(meter, of(meter));
    }
    return all;
  }
}
