package io.streamspace.billing.config;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.catalog.share.ShareTerms;
import io.streamspace.billing.tax.TaxBehavior;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The billing configuration in effect: what the admin saved with every missing or refused key
 * taken from its default in {@link BillingKeys}. Immutable, so a config change is an atomic swap
 * of one reference. Each accessor answers the value of one key, whose entry in the table says
 * what it means.
 */
public final class BillingConfig {

  private final Map<String, Object> values;

  /** The config of these values by key name, each of its key's type (see {@link Reading}). */
  BillingConfig(Map<String, ?> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Every key at its default: the StreamSpace billing plugin's (its README), USD and UTC. */
  public static BillingConfig defaults() {
    Map<String, Object> defaults = new LinkedHashMap<>();
    BillingKeys.ALL.forEach(key -> defaults.put(key.name(), key.defaultValue()));
    return new BillingConfig(defaults);
  }

  <T> T get(BillingKey<T> key) {
    return key.valueIn(values);
  }

  public boolean enabled() {
    return get(BillingKeys.ENABLED);
  }

  /**
   * Whether payments go through Stripe: the Stripe routes answer 409 and the webhook 404 while it
   * is false.
   */
  public boolean stripeEnabled() {
    return get(BillingKeys.STRIPE_ENABLED);
  }

  /**
   * Whether Stripe Tax computes the tax of invoices and Checkout Sessions (never without {@link
   * #stripeEnabled}: the config refuses it).
   */
  public boolean stripeTax() {
    return get(BillingKeys.STRIPE_TAX);
  }

  /** Whether prices and invoice lines exclude the tax or include it. */
  public TaxBehavior taxBehavior() {
    return get(BillingKeys.TAX_BEHAVIOR);
  }

  public BillingMode billingMode() {
    return get(BillingKeys.BILLING_MODE);
  }

  public ComputeRates computeRates() {
    return get(BillingKeys.COMPUTE_RATES);
  }

  public Map<Currency, ComputeRates> currencyRates() {
    return get(BillingKeys.CURRENCY_RATES);
  }

  public MeterRates meterRates() {
    return get(BillingKeys.METER_RATES);
  }

  public Map<Currency, MeterRates> currencyMeterRates() {
    return get(BillingKeys.CURRENCY_METER_RATES);
  }

  /** The meters in effect, in their order: the seven built-in ones unless configured. */
  public Meters meters() {
    return get(BillingKeys.METERS);
  }

  public List<SubscriptionPlan> subscriptionPlans() {
    return get(BillingKeys.SUBSCRIPTION_PLANS);
  }

  public String defaultPlan() {
    return get(BillingKeys.DEFAULT_PLAN);
  }

  public List<CapacityPack> capacityPacks() {
    return get(BillingKeys.CAPACITY_PACKS);
  }

  /** The pack of that id, if the catalog has it. */
  public Optional<CapacityPack> pack(String packId) {
    return capacityPacks().stream().filter(p -> p.id().equals(packId)).findFirst();
  }

  public int invoiceDay() {
    return get(BillingKeys.INVOICE_DAY);
  }

  public String usageCalculationInterval() {
    return get(BillingKeys.USAGE_CALCULATION_INTERVAL);
  }

  public String quotaCheckInterval() {
    return get(BillingKeys.QUOTA_CHECK_INTERVAL);
  }

  /** Percent of a limit (1-100) at which a quota is in warning. */
  public int alertThreshold() {
    return get(BillingKeys.ALERT_THRESHOLD);
  }

  /** The ids of the plans whose organizations may be sales leads. */
  public List<String> leadPlans() {
    return get(BillingKeys.LEAD_PLANS);
  }

  /** Percent of a limit (1-100) at or above which a day counts as near it for sales leads. */
  public int leadLimitPercent() {
    return get(BillingKeys.LEAD_LIMIT_PERCENT);
  }

  /** Minutes between the signed audit checkpoints the audit-checkpoint job publishes. */
  public int auditCheckpointMinutes() {
    return get(BillingKeys.AUDIT_CHECKPOINT_MINUTES);
  }

  /**
   * The origins ({@code scheme://host[:port]}, lower-cased) that may frame the sidebar widget,
   * beside the host's own; empty: none.
   */
  public List<String> embedOrigins() {
    return get(BillingKeys.EMBED_ORIGINS);
  }

  /** Days of the last 30 near a limit of one meter that make a sales lead. */
  public int leadDays() {
    return get(BillingKeys.LEAD_DAYS);
  }

  /** Members gained in the last 30 days that make a sales lead. */
  public int leadMemberGrowth() {
    return get(BillingKeys.LEAD_MEMBER_GROWTH);
  }

  /** Percent of its members 30 days ago gained since that makes a sales lead. */
  public int leadMemberGrowthPercent() {
    return get(BillingKeys.LEAD_MEMBER_GROWTH_PERCENT);
  }

  /** Whether an account over a hard limit for longer than {@link #gracePeriod} is suspended. */
  public boolean autoSuspendOnOverage() {
    return get(BillingKeys.AUTO_SUSPEND_ON_OVERAGE);
  }

  /** How long an account may stay over a hard limit before it is suspended. */
  public Duration gracePeriod() {
    return Duration.ofDays(get(BillingKeys.GRACE_PERIOD_DAYS));
  }

  public Currency currency() {
    return get(BillingKeys.CURRENCY);
  }

  /** The add-on store's share table and minimum payout by currency (storeRevenueShare). */
  public Map<Currency, ShareTerms> storeRevenueShare() {
    return get(BillingKeys.STORE_REVENUE_SHARE);
  }

  /** The store's terms for sales in {@code currency}, if it has any. */
  public Optional<ShareTerms> storeTerms(Currency currency) {
    return Optional.ofNullable(storeRevenueShare().get(currency));
  }

  /**
   * How long a session is idle or disconnected before it is hibernated (hibernateAfterIdleMinutes);
   * zero: never.
   */
  public Duration hibernateAfterIdle() {
    return Duration.ofMinutes(get(BillingKeys.HIBERNATE_AFTER_IDLE_MINUTES));
  }

  /** The factors idle and disconnected time is priced at (activityRates). */
  public ActivityRates activityRates() {
    return get(BillingKeys.ACTIVITY_RATES);
  }

  /**
   * What one top-up of a prepaid balance in {@code currency} may be (topUpLimits), never above
   * what Stripe charges at once.
   */
  public TopUpLimits.Limit topUpLimit(Currency currency) {
    return TopUpLimits.of(get(BillingKeys.TOP_UP_LIMITS), currency);
  }

  /**
   * The least saving the advisor announces in {@code currency} (adviceMinSaving); empty: none is
   * announced in it.
   */
  public Optional<BigDecimal> adviceMinSaving(Currency currency) {
    return Optional.ofNullable(get(BillingKeys.ADVICE_MIN_SAVING).get(currency));
  }

  public ZoneId billingTimeZone() {
    return get(BillingKeys.BILLING_TIME_ZONE);
  }

  public Duration sessionHeartbeatTimeout() {
    return Duration.ofMinutes(get(BillingKeys.SESSION_HEARTBEAT_TIMEOUT_MINUTES));
  }

  public Duration invoiceGrace() {
    return Duration.ofMinutes(get(BillingKeys.INVOICE_GRACE_MINUTES));
  }

  public int paymentTermsDays() {
    return get(BillingKeys.PAYMENT_TERMS_DAYS);
  }

  /** Days an invoice may stay overdue before its account is locked read-only. */
  public int paymentGraceDays() {
    return get(BillingKeys.PAYMENT_GRACE_DAYS);
  }

  /** The days after an invoice's first charge that a declined one is charged again. */
  public List<Integer> paymentRetryDays() {
    return get(BillingKeys.PAYMENT_RETRY_DAYS);
  }

  /** How finalized invoices are collected while stripeEnabled: PaymentIntents or Stripe's. */
  public StripeCollection stripeCollection() {
    return get(BillingKeys.STRIPE_COLLECTION);
  }

  /** How long before a one-time pack's validity ends that it is announced as expiring. */
  public Duration packExpiryNotice() {
    return Duration.ofDays(get(BillingKeys.PACK_EXPIRY_NOTICE_DAYS));
  }

  /**
   * How long after a spending limit whose action is {@code block} is reached its account is held
   * (its sessions suspended, new ones refused).
   */
  public Duration spendingBlockNotice() {
    return Duration.ofMinutes(get(BillingKeys.SPENDING_BLOCK_NOTICE_MINUTES));
  }

  /**
   * How much of a session's cost admission reserves from the prepaid balance of an organization
   * on a prepaid plan as it starts: the cost of these first minutes.
   */
  public Duration hold() {
    return Duration.ofMinutes(get(BillingKeys.HOLD_MINUTES));
  }

  /** The terminate reasons fault credits are granted for. */
  public List<String> faultCreditReasons() {
    return get(BillingKeys.FAULT_CREDIT_REASONS);
  }

  /** What of a session a fault credit gives back. */
  public FaultCreditTerms.Policy faultCreditPolicy() {
    return get(BillingKeys.FAULT_CREDIT_POLICY);
  }

  /** The most fault credits give an organization in a period, in its currency; none: uncapped. */
  public Optional<BigDecimal> faultCreditCap(Currency currency) {
    return Optional.ofNullable(get(BillingKeys.FAULT_CREDIT_CAP).get(currency));
  }

  /** The runway left on a prepaid balance under which billing.balance.low is sent. */
  public Duration warnRunway() {
    return Duration.ofMinutes(get(BillingKeys.WARN_MINUTES));
  }

  /** When check-balances runs (5-field cron). */
  public String balanceCheckInterval() {
    return get(BillingKeys.BALANCE_CHECK_INTERVAL);
  }

  /** Whether a plan of that id is configured. */
  public boolean hasPlan(String planId) {
    return plan(planId).isPresent();
  }

  /** The plan of that id, if configured. */
  public Optional<SubscriptionPlan> plan(String planId) {
    return subscriptionPlans().stream().filter(p -> p.id().equals(planId)).findFirst();
  }

  /**
   * How a sentence for people names the plan of that id: its display {@code name} ("Hobby"),
   * as {@code GET /plans} and the pages do, or the id in quotes when no plan has it (one that
   * left the catalog): people know plans by name, the id is for machine fields.
   */
  public String planName(String planId) {
    return plan(planId).map(SubscriptionPlan::name).orElse("\"" + planId + "\"");
  }

  /**
   * The limits of the plan of that id (none for an unknown plan), each meter's kind the plan's
   * or else the billing mode's default ({@link #defaultLimitKind}). {@code cpu_limit}, {@code
   * memory_limit} and {@code storage_limit} are the limits of their meters (a {@code limits}
   * entry of the same meter wins).
   */
  public PlanLimits limitsOf(String planId) {
    Map<Meter, Limit> limits = new LinkedHashMap<>();
    plan(planId)
        .ifPresent(
            plan -> {
              limits.put(Meter.CPU_CORES, new Limit(plan.cpuLimit(), defaultLimitKind()));
              limits.put(Meter.MEMORY_GB, new Limit(plan.memoryLimit(), defaultLimitKind()));
              limits.put(Meter.STORAGE_GB, new Limit(plan.storageLimit(), defaultLimitKind()));
              plan.limits().forEach((meter, limit) -> limits.put(meter, resolved(limit)));
            });
    return new PlanLimits(limits);
  }

  /**
   * The limits a version of a plan sets, by meter id as {@code billing_plan_versions} keeps them
   * ({@code cpu_cores}, {@code memory_gb} and {@code storage_gb} among them), resolved as {@link
   * #limitsOf(String)} resolves a plan's: a kind not given the billing mode's default. A meter the
   * catalog no longer has limits nothing.
   */
  public PlanLimits limitsOf(Map<String, MeterLimit> version) {
    Map<Meter, Limit> limits = new LinkedHashMap<>();
    for (Meter meter : meters().all()) {
      MeterLimit set = version.get(meter.configName());
      if (set != null) {
        limits.put(meter, resolved(set));
      }
    }
    return new PlanLimits(limits);
  }

  /**
   * The kind of a limit a plan gives without one: soft in {@code hybrid}, where a plan's limits
   * are the allowance overage is billed beyond; else hard (in {@code subscription} nothing beyond
   * the plan is billed; in {@code usage} all use is billed, and a limit is a cap).
   */
  public LimitKind defaultLimitKind() {
    return billingMode() == BillingMode.HYBRID ? LimitKind.SOFT : LimitKind.HARD;
  }

  private Limit resolved(MeterLimit limit) {
    return new Limit(limit.limit(), limit.kind() != null ? limit.kind() : defaultLimitKind());
  }

  /**
   * A seat's price per billing period where {@code meterRates} or {@code currencyMeterRates}
   * gives none (configs written before seats): 10.00 USD, 250000 VND; none in another currency.
   */
  public static final Map<Currency, BigDecimal> DEFAULT_SEAT_PRICES =
      Map.of(
          Currency.getInstance("USD"), new BigDecimal("10.00"),
          Currency.getInstance("VND"), new BigDecimal("250000"));

  /**
   * The meter rates in a currency, if it has them: the built-in counters' ({@code meterRates},
   * {@code currencyMeterRates}), each custom meter's price in it, and a seat's ({@code members},
   * else {@link #DEFAULT_SEAT_PRICES}' in it, if any).
   */
  public Optional<MeterRates> meterRatesIn(Currency in) {
    Optional<MeterRates> builtIn =
        in.equals(currency())
            ? Optional.of(meterRates())
            : Optional.ofNullable(currencyMeterRates().get(in));
    return builtIn.map(
        rates -> {
          Map<Meter, BigDecimal> perUnit = new LinkedHashMap<>(rates.perUnit());
          for (Meter meter : meters().periodCounters()) {
            BigDecimal price = meter.prices().get(in);
            if (price != null) {
              perUnit.put(meter, price);
            }
          }
          if (!perUnit.containsKey(Meter.MEMBERS) && DEFAULT_SEAT_PRICES.containsKey(in)) {
            perUnit.put(Meter.MEMBERS, DEFAULT_SEAT_PRICES.get(in));
          }
          return new MeterRates(perUnit);
        });
  }

  /** The currencies accounts may be opened in: {@code currency} first, then currencyRates'. */
  public Set<Currency> supportedCurrencies() {
    Set<Currency> supported = new LinkedHashSet<>();
    supported.add(currency());
    currencyRates().keySet().stream()
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
    return in.equals(currency())
        ? Optional.of(computeRates())
        : Optional.ofNullable(currencyRates().get(in));
  }

  /** A plan's price in a currency: {@code price} in the default currency, else from prices. */
  public Optional<BigDecimal> priceOf(SubscriptionPlan plan, Currency in) {
    return in.equals(currency())
        ? Optional.of(plan.price())
        : Optional.ofNullable(plan.prices().get(in));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof BillingConfig config && values.equals(config.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "BillingConfig" + values;
  }
}
