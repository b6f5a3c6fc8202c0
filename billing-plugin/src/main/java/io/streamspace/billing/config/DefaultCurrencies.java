package io.streamspace.billing.config;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.SubscriptionPlan;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The defaults price in USD and VND (the seeds' two currencies): {@code currencyRates} and {@code
 * currencyMeterRates} default to VND's rates and the default plans and packs carry VND prices,
 * so an account whose {@code user.created} asks for VND is priced in VND with nothing saved.
 *
 * <p>A default further currency stands only where the rest of the config in effect prices it,
 * so a config saved before VND was a default (plans of its own without VND prices) reads as it
 * did, in USD only, instead of being refused, and loses none of its keys to their defaults:
 *
 * <ul>
 *   <li>the default plans keep their prices in the currencies of {@code currencyRates} only
 *       (with {@code currency} VND, a plan's VND price is its {@code price});
 *   <li>{@code currencyRates} left out is the default's currencies other than {@code currency}
 *       in which every plan, every saved pack and every custom meter has a price, and which
 *       {@code currencyMeterRates}, when saved, has rates of;
 *   <li>{@code currencyMeterRates} left out is the default's rates of the currencies of {@code
 *       currencyRates} (a saved currency the default has no rates of is still refused as
 *       required).
 * </ul>
 *
 * Saved, both keys are taken as written and checked as before: every plan must then have a
 * price in each of their currencies.
 */
final class DefaultCurrencies {

  private DefaultCurrencies() {}

  /** Fits the defaults of the currency keys left out to the config read so far. */
  static void fit(Reading reading) {
    Currency currency = reading.value(BillingKeys.CURRENCY);
    if (!reading.saved(BillingKeys.CURRENCY_RATES)) {
      reading.set(
          BillingKeys.CURRENCY_RATES,
          kept(
              BillingKeys.CURRENCY_RATES.defaultValue(),
              in -> !in.equals(currency) && pricedIn(reading, in)));
    }
    if (!reading.saved(BillingKeys.SUBSCRIPTION_PLANS)) {
      pricePlansIn(reading, reading.value(BillingKeys.CURRENCY_RATES)::containsKey);
    }
    if (!reading.saved(BillingKeys.CURRENCY_METER_RATES)) {
      reading.set(BillingKeys.CURRENCY_METER_RATES, meterRatesOf(reading));
    }
  }

  /**
   * The default meter rates of the currencies of {@code currencyRates} as read so far: what
   * {@code currencyMeterRates} is when left out, and what it goes back to when refused.
   */
  static Map<Currency, MeterRates> meterRatesOf(Reading reading) {
    Map<Currency, ComputeRates> further = reading.value(BillingKeys.CURRENCY_RATES);
    return kept(BillingKeys.CURRENCY_METER_RATES.defaultValue(), further::containsKey);
  }

  /**
   * Whether every plan, saved pack and custom meter in effect has a price in {@code in}, and the
   * meter rates, when saved, have rates in it.
   */
  private static boolean pricedIn(Reading reading, Currency in) {
    if (reading.saved(BillingKeys.CURRENCY_METER_RATES)
        && !reading.value(BillingKeys.CURRENCY_METER_RATES).containsKey(in)) {
      return false;
    }
    List<SubscriptionPlan> plans = reading.value(BillingKeys.SUBSCRIPTION_PLANS);
    boolean packs =
        !reading.saved(BillingKeys.CAPACITY_PACKS)
            || reading.value(BillingKeys.CAPACITY_PACKS).stream()
                .map(CapacityPack::prices)
                .allMatch(prices -> prices.containsKey(in));
    boolean meters =
        reading.value(BillingKeys.METERS).all().stream()
            .filter(meter -> !meter.isBuiltIn())
            .map(Meter::prices)
            .allMatch(prices -> prices.containsKey(in));
    return packs
        && meters
        && plans.stream().map(SubscriptionPlan::prices).allMatch(prices -> prices.containsKey(in));
  }

  /** Keeps the plans' prices in the currencies {@code keep} accepts, and no other. */
  private static void pricePlansIn(Reading reading, Predicate<Currency> keep) {
    reading.set(
        BillingKeys.SUBSCRIPTION_PLANS,
        reading.value(BillingKeys.SUBSCRIPTION_PLANS).stream()
            .map(plan -> pricedIn(plan, keep))
            .toList());
  }

  private static SubscriptionPlan pricedIn(SubscriptionPlan plan, Predicate<Currency> keep) {
    Map<Currency, BigDecimal> prices = kept(plan.prices(), keep);
    if (prices.equals(plan.prices())) {
      return plan;
    }
    return new SubscriptionPlan(
        plan.id(),
        plan.name(),
        plan.price(),
        plan.interval(),
        plan.cpuLimit(),
        plan.memoryLimit(),
        plan.storageLimit(),
        prices,
        plan.limits(),
        plan.prepaid(),
        plan.trialDays());
  }

  private static <V> Map<Currency, V> kept(Map<Currency, V> all, Predicate<Currency> keep) {
    Map<Currency, V> kept = new LinkedHashMap<>();
    all.forEach(
        (in, value) -> {
          if (keep.test(in)) {
            kept.put(in, value);
          }
        });
    return Map.copyOf(kept);
  }
}
