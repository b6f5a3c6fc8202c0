package io.streamspace.billing.config;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;

/**
 * A plan an account can be on.
 *
 * @param id           stable identifier, unique among plans
 * @param name         display name
 * @param price        fee per interval, in the configured (default) currency
 * @param interval     {@code month} or {@code year}
 * @param cpuLimit     included CPU cores, or null for no limit
 * @param memoryLimit  included memory in GB, or null for no limit
 * @param storageLimit included storage in GB, or null for no limit
 * @param prices       fee per interval in each further supported currency (see
 *                     {@link BillingConfig#priceOf})
 */
public record SubscriptionPlan(
    String id,
    String name,
    BigDecimal price,
    String interval,
    BigDecimal cpuLimit,
    BigDecimal memoryLimit,
    BigDecimal storageLimit,
    Map<Currency, BigDecimal> prices) {

  public SubscriptionPlan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(interval, "interval");
    prices = Map.copyOf(prices);
  }
}
