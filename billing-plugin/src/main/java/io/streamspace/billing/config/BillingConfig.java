package io.streamspace.billing.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The billing configuration in effect: what the admin saved with every missing key taken from
 * {@link #defaults()}. Immutable, so a config change is an atomic swap of one reference.
 *
 * @param computeRates the unit prices in {@code currency}
 * @param currencyRates the unit prices in each further currency accounts may be opened in
 * @param currency the default currency: of {@code computeRates}, of each plan's {@code price},
 *     and of accounts opened without a supported {@code currency} attribute
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
    Map<Currency, ComputeRates> currencyRates,
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
    currencyRates = Map.copyOf(currencyRates);
    subscriptionPlans = List.copyOf(subscriptionPlans);
    Objects.requireNonNull(defaultPlan, "defaultPlan");
    Objects.requireNonNull(usageCalculationInterval, "usageCalculationInterval");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(billingTimeZone, "billingTimeZone");
    Objects.requireNonNull(sessionHeartbeatTimeout, "sessionHeartbeatTimeout");
    Objects.requireNonNull(invoiceGrace, "invoiceGrace");
  }

  /**
   * The defaults of the StreamSpace billing plugin (its README), plus USD, UTC, a 10-minute
   * heartbeat timeout, a one-hour invoice grace and 14 days to pay.
   */
  public static BillingConfig defaults() {
    return new BillingConfig(
        true,
        BillingMode.USAGE,
        new ComputeRates(new BigDecimal("0.05"), new BigDecimal("0.01"), new BigDecimal("0.10")),
        Map.of(),
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
        id,
        name,
        new BigDecimal(price),
        "month",
        new BigDecimal(cpu),
        new BigDecimal(memory),
        new BigDecimal(storage),
        Map.of());
  }

  /** Whether a plan of that id is configured. */
  public boolean hasPlan(String planId) {
    return plan(planId).isPresent();
  }

  /** The plan of that id, if configured. */
  public Optional<SubscriptionPlan> plan(String planId) {
    return subscriptionPlans.stream().filter(p -> p.id().equals(planId)).findFirst();
  }

  /** The currencies accounts may be opened in: {@code currency} first, then currencyRates'. */
  public Set<Currency> supportedCurrencies() {
    Set<Currency> supported = new LinkedHashSet<>();
    supported.add(currency);
    currencyRates.keySet().stream()
        .sorted((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()))
        .forEach(supported::add);
    return supported;
  }

  /** The supported currency of that ISO code, if it is one (any other code is not). */
  public Optional<Currency> supportedCurrency(String code) {
    return supportedCurrencies().stream().filter(c -> c.getCurrencyCode().equals(code)).findFirst();
  }

  /** The unit prices in a currency, if it is supported. */
  public Optional<ComputeRates> ratesIn(Currency in) {
    return in.equals(currency)
        ? Optional.of(computeRates)
        : Optional.ofNullable(currencyRates.get(in));
  }

  /** A plan's price in a currency: {@code price} in the default currency, else from prices. */
  public Optional<BigDecimal> priceOf(SubscriptionPlan plan, Currency in) {
    return in.equals(currency)
        ? Optional.of(plan.price())
        : Optional.ofNullable(plan.prices().get(in));
  }
}
