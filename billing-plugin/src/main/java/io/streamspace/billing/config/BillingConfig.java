package io.streamspace.billing.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * The billing configuration in effect: what the admin saved with every missing key taken from
 * {@link #defaults()}. Immutable, so a config change is an atomic swap of one reference.
 *
 * @param sessionHeartbeatTimeout how long a session may stay silent before it is closed at its
 *     last heartbeat; also the lateness allowed to events before usage is settled
 * @param invoiceGrace how long an invoice stays a draft after its period ends, so that late usage
 *     still lands on it, before it is finalized
 * @param paymentTermsDays days from finalization to an invoice's due date
 */
public record BillingConfig(
    boolean enabled,
    BillingMode billingMode,
    ComputeRates computeRates,
    List<SubscriptionPlan> subscriptionPlans,
    String defaultPlan,
    int invoiceDay,
    String usageCalculationInterval,
    int alertThreshold,
    boolean autoSuspendOnOverage,
    int gracePeriodDays,
    boolean stripeEnabled,
    Currency currency,
    ZoneId billingTimeZone,
    Duration sessionHeartbeatTimeout,
    Duration invoiceGrace,
    int paymentTermsDays) {

  public BillingConfig {
    Objects.requireNonNull(billingMode, "billingMode");
    Objects.requireNonNull(computeRates, "computeRates");
    subscriptionPlans = List.copyOf(subscriptionPlans);
    Objects.requireNonNull(defaultPlan, "defaultPlan");
    Objects.requireNonNull(usageCalculationInterval, "usageCalculationInterval");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(billingTimeZone, "billingTimeZone");
    Objects.requireNonNull(sessionHeartbeatTimeout, "sessionHeartbeatTimeout");
    Objects.requireNonNull(invoiceGrace, "invoiceGrace");
  }

  /** The defaults of the StreamSpace billing plugin (its README), plus USD, UTC, a 10-minute heartbeat
   * timeout, a one-hour invoice grace and 14 days to pay. */
  public static BillingConfig defaults() {
    return new BillingConfig(
        true,
        BillingMode.USAGE,
        new ComputeRates(new BigDecimal("0.05"), new BigDecimal("0.01"), new BigDecimal("0.10")),
        List.of(
            plan("free", "Free Tier", "0", "2", "4", "10"),
            plan("pro", "Professional", "29.99", "8", "16", "100"),
            plan("enterprise", "Enterprise", "99.99", "32", "64", "500")),
        "free",
        1,
        "0 * * * *",
        80,
        false,
        7,
        false,
        Currency.getInstance("USD"),
        ZoneId.of("UTC"),
        Duration.ofMinutes(10),
        Duration.ofHours(1),
        14);
  }

  private static SubscriptionPlan plan(
      String id, String name, String price, String cpu, String memory, String storage) {
    return new SubscriptionPlan(
        id, name, new BigDecimal(price), "month",
        new BigDecimal(cpu), new BigDecimal(memory), new BigDecimal(storage));
  }

  /** Whether a plan of that id is configured. */
  public boolean hasPlan(String planId) {
    return subscriptionPlans.stream().anyMatch(p -> p.id().equals(planId));
  }
}
