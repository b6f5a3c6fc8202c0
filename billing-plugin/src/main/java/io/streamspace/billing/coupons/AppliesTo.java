package io.streamspace.billing.coupons;

import java.util.List;

/**
 * What a coupon takes something off: the plan fee lines of {@code plans}, the usage and overage
 * lines of {@code meters} (by meter id: {@code cpu_cores}, {@code bandwidth_gb}, {@code members}
 * for seats), and the store item lines when {@code store}. At least one of them.
 */
public record AppliesTo(List<String> plans, List<String> meters, boolean store) {

  public AppliesTo {
    plans = List.copyOf(plans);
    meters = List.copyOf(meters);
  }

  /** Whether it names nothing at all (not a getter: JSON writes the three members only). */
  public boolean namesNothing() {
    return plans.isEmpty() && meters.isEmpty() && !store;
  }
}
