package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * A stretch of time an account was on one plan, with the plan's terms as they were then (a row of
 * {@code billing_subscriptions}).
 *
 * @param price    the fee per interval, in the account's currency
 * @param interval {@code month} or {@code year}
 * @param from     when the account moved onto the plan
 * @param to       when it left it, or null while it is still on it
 * @param cpuLimit included CPU cores; null for unlimited (likewise memory GB and storage GB)
 */
public record PlanTerm(
    String planId,
    String planName,
    BigDecimal price,
    String interval,
    BigDecimal cpuLimit,
    BigDecimal memoryLimit,
    BigDecimal storageLimit,
    Instant from,
    Instant to) {

  public PlanTerm {
    Objects.requireNonNull(planId, "planId");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(from, "from");
  }

  /**
   * What the plan includes of a resource (cores, GB), or null when it is unlimited: a held
   * meter's always (plans do not limit held meters yet).
   */
  public BigDecimal limit(UsageUnit unit) {
    if (unit.equals(UsageUnit.CPU)) {
      return cpuLimit;
    }
    if (unit.equals(UsageUnit.MEMORY)) {
      return memoryLimit;
    }
    return unit.equals(UsageUnit.STORAGE) ? storageLimit : null;
  }
}
