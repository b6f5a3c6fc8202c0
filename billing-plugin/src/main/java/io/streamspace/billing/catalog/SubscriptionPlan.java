package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A plan an account can be on.
 *
 * @param id           stable identifier, unique among plans
 * @param name         display name
 * @param price        fee per interval, in the configured (default) currency
 * @param interval     {@code month} or {@code year}
 * @param cpuLimit     CPU cores, or null for no limit: the {@code cpu_cores} limit
 * @param memoryLimit  memory in GB, or null for no limit: the {@code memory_gb} limit
 * @param storageLimit storage in GB, or null for no limit: the {@code storage_gb} limit
 * @param prices       fee per interval in each further supported currency (see
 *                     {@code BillingConfig.priceOf})
 * @param limits       the limits the plan's {@code limits} sets, by meter (the three above
 *                     included when it sets them; {@code BillingConfig.limitsOf} resolves all)
 * @param prepaid      whether its organizations pay their usage from a prepaid balance as it
 *                     accrues (the invoice still comes each period, paid from the balance)
 * @param trialDays    the days of its trial: an organization starting it for the first time has
 *                     its limits without its fee for that long ({@code plans/TrialRuns}); 0 for
 *                     none
 */
public record SubscriptionPlan(
    String id,
    String name,
    BigDecimal price,
    String interval,
    BigDecimal cpuLimit,
    BigDecimal memoryLimit,
    BigDecimal storageLimit,
    Map<Currency, BigDecimal> prices,
    Map<Meter, MeterLimit> limits,
    boolean prepaid,
    int trialDays) {

  /**
   * A limit as a plan's {@code limits} sets it.
   *
   * @param limit the most allowed, in the meter's unit; null for unlimited
   * @param kind null when not given: the billing mode's default kind
   */
  public record MeterLimit(BigDecimal limit, LimitKind kind) {}

  public SubscriptionPlan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(interval, "interval");
    prices = Map.copyOf(prices);
    limits = Map.copyOf(limits);
  }

  /**
   * What it includes of each held meter it limits, by meter id (a meter it leaves unlimited is
   * absent): what a plan term keeps of them, as it keeps {@link #cpuLimit}.
   */
  public Map<String, BigDecimal> heldLimits() {
    Map<String, BigDecimal> held = new TreeMap<>();
    limits.forEach(
        (meter, limit) -> {
          if (meter.measure() == Meter.Measure.HELD && limit.limit() != null) {
            held.put(meter.configName(), limit.limit());
          }
        });
    return held;
  }
}
