package io.streamspace.billing.planversions;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a version of a plan is: the terms a change of which makes a new version. Its fee per
 * interval in each currency it is priced in ({@code price} in the configured currency, {@code
 * prices} in the others), its interval, and every limit it sets, the seats it includes among them
 * ({@code members}), each with its kind as the plan gives it (null: the billing mode's default).
 * Its name and whether it is prepaid are not terms: renaming a plan makes no version.
 *
 * @param prices by ISO currency code
 * @param limits by meter id; {@code cpu_cores}, {@code memory_gb} and {@code storage_gb} always
 *     (their limit null when unlimited), the others as the plan's {@code limits} sets them
 * @param heldLimits what a plan term keeps of the held meters it limits (derived from {@code
 *     limits}, kept so that a term can be matched without the meters' config)
 */
public record PlanVersionTerms(
    String interval,
    Map<String, BigDecimal> prices,
    Map<String, Limit> limits,
    Map<String, BigDecimal> heldLimits) {

  /** A limit as the plan sets it; {@code kind} null for the billing mode's default. */
  public record Limit(BigDecimal limit, String kind) {}

  public PlanVersionTerms {
    Objects.requireNonNull(interval, "interval");
    prices = new TreeMap<>(prices);
    limits = new TreeMap<>(limits);
    heldLimits = new TreeMap<>(heldLimits == null ? Map.of() : heldLimits);
  }

  /** The terms of {@code plan} as {@code config} sets them. */
  public static PlanVersionTerms of(BillingConfig config, SubscriptionPlan plan) {
    Map<String, BigDecimal> prices = new TreeMap<>();
    for (Currency currency : config.supportedCurrencies()) {
      config.priceOf(plan, currency).ifPresent(p -> prices.put(currency.getCurrencyCode(), p));
    }
    Map<String, Limit> limits = new TreeMap<>();
    limits.put(Meter.CPU_CORES.configName(), legacy(plan, Meter.CPU_CORES, plan.cpuLimit()));
    limits.put(Meter.MEMORY_GB.configName(), legacy(plan, Meter.MEMORY_GB, plan.memoryLimit()));
    limits.put(Meter.STORAGE_GB.configName(), legacy(plan, Meter.STORAGE_GB, plan.storageLimit()));
    plan.limits()
        .forEach(
            (meter, limit) ->
                limits.put(
                    meter.configName(),
                    new Limit(
                        limit.limit(), limit.kind() == null ? null : limit.kind().configName())));
    return new PlanVersionTerms(plan.interval(), prices, limits, plan.heldLimits());
  }

  private static Limit legacy(SubscriptionPlan plan, Meter meter, BigDecimal limit) {
    MeterLimit set = plan.limits().get(meter);
    return new Limit(limit, set == null || set.kind() == null ? null : set.kind().configName());
  }

  /** The fee per interval in that currency, if the version is priced in it. */
  public Optional<BigDecimal> priceIn(Currency currency) {
    return Optional.ofNullable(prices.get(currency.getCurrencyCode()));
  }

  /** The limit of that meter, null when unlimited (or not limited by the version). */
  public BigDecimal limitOf(Meter meter) {
    Limit limit = limits.get(meter.configName());
    return limit == null ? null : limit.limit();
  }

  /**
   * Its limits as a plan term on it keeps them ({@code invoicing.PlanTerm#versionLimits}): the
   * seats and period counters it includes are read from them.
   */
  public Map<String, MeterLimit> meterLimits() {
    Map<String, MeterLimit> kept = new TreeMap<>();
    limits.forEach(
        (meter, limit) ->
            kept.put(
                meter,
                new MeterLimit(
                    limit.limit(),
                    limit.kind() == null
                        ? null
                        : LimitKind.valueOf(limit.kind().toUpperCase(Locale.ROOT)))));
    return kept;
  }

  /** Whether the two are the same terms: amounts compared by value (29.9 is 29.90). */
  public boolean same(PlanVersionTerms other) {
    return interval.equals(other.interval)
        && sameAmounts(prices, other.prices)
        && limits.keySet().equals(other.limits.keySet())
        && limits.keySet().stream()
            .allMatch(
                meter -> {
                  Limit a = limits.get(meter);
                  Limit b = other.limits.get(meter);
                  return same(a.limit(), b.limit()) && Objects.equals(a.kind(), b.kind());
                });
  }

  /**
   * Whether a plan term with these fields (what {@code billing_subscriptions} keeps of a plan: the
   * fee in its currency, the interval and what it includes of cores, memory, storage and the held
   * meters) is one of this version.
   */
  public boolean keptAs(PlanVersion.TermFields term) {
    return same(prices.get(term.currency().getCurrencyCode()), term.price())
        && interval.equals(term.interval())
        && same(limitOf(Meter.CPU_CORES), term.cpu())
        && same(limitOf(Meter.MEMORY_GB), term.memory())
        && same(limitOf(Meter.STORAGE_GB), term.storage())
        && sameAmounts(heldLimits, term.held());
  }

  /** The terms as stored ({@code billing_plan_versions.terms}). */
  public String json() {
    return JsonMapper.write(this);
  }

  /** Terms as {@link #json} wrote them. */
  public static PlanVersionTerms read(String json) {
    try {
      return JsonMapper.MAPPER.readValue(json, PlanVersionTerms.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean sameAmounts(Map<String, BigDecimal> a, Map<String, BigDecimal> b) {
    return a.keySet().equals(b.keySet())
        && a.keySet().stream().allMatch(key -> same(a.get(key), b.get(key)));
  }

  private static boolean same(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }
}
