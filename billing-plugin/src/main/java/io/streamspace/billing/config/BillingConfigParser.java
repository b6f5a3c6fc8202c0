package io.streamspace.billing.config;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the JSON the admin saved into a {@link BillingConfig}: each key of {@link BillingKeys} by
 * its type, with its default when absent.
 *
 * <p>It refuses, naming the dotted key: unknown keys (typos would otherwise be silently
 * ignored), values of the wrong type or out of range, and secrets (the host keeps them apart from
 * the saved config: the JSON it hands over never holds one). When the admin saves a config,
 * {@link #validate} also refuses Stripe enabled without its secrets, or with a currency Stripe
 * cannot charge every invoice of. A refused key keeps its
 * default in the returned config, so the result is always usable for display. Problems come in
 * this order: unknown keys and secrets as the JSON names them, then each key's in the table's
 * order, then those of the checks across keys.
 */
public final class BillingConfigParser {

  private final CronValidator cronValidator;

  public BillingConfigParser(CronValidator cronValidator) {
    this.cronValidator = cronValidator;
  }

  /** Parses saved config JSON; blank text means "nothing saved". */
  public ConfigParseResult parse(String json) {
    return read(json).result();
  }

  /**
   * The problems of a config the admin wants to save: those of {@link #parse}, and, with {@code
   * stripeEnabled} true, each Stripe secret not set (from the host's environment or stored by
   * it) and each place a currency Stripe cannot charge is priced in. Only then: a secret removed
   * from the environment later does not make a saved config unreadable, nor does a currency
   * refused only here change how a saved config reads.
   *
   * @param secretsSet the names of the secret keys that will have a value
   */
  public List<ConfigProblem> validate(String json, Set<String> secretsSet) {
    Reading reading = read(json);
    if (reading.value(BillingKeys.STRIPE_ENABLED)) {
      for (BillingKey<String> secret :
          List.of(BillingKeys.STRIPE_SECRET_KEY, BillingKeys.STRIPE_WEBHOOK_SECRET)) {
        if (!secretsSet.contains(secret.name())) {
          reading
              .at(secret.name())
              .refuse(
                  "is required while stripeEnabled is true: set it here or in the environment"
                      + " variable "
                      + secret.environmentVariable());
        }
      }
      refuseCurrenciesStripeCannotCharge(reading);
    }
    return reading.result().problems();
  }

  /**
   * Refuses each place the config prices in a currency Stripe cannot charge every invoice of
   * ({@link StripeAmounts#chargesEveryAmount}: BHD, JOD, KWD, OMR, TND, MGA): invoices are rounded
   * to the currency's decimals, finer than Stripe takes, so most could not be collected.
   */
  private static void refuseCurrenciesStripeCannotCharge(Reading reading) {
    Map<String, Currency> priced = new LinkedHashMap<>();
    priced.put("currency", reading.value(BillingKeys.CURRENCY));
    putEach(priced, "currencyRates.", reading.value(BillingKeys.CURRENCY_RATES).keySet());
    putEach(
        priced, "currencyMeterRates.", reading.value(BillingKeys.CURRENCY_METER_RATES).keySet());
    List<SubscriptionPlan> plans = reading.value(BillingKeys.SUBSCRIPTION_PLANS);
    for (int i = 0; i < plans.size(); i++) {
      putEach(priced, "subscriptionPlans[" + i + "].prices.", plans.get(i).prices().keySet());
    }
    List<CapacityPack> packs = reading.value(BillingKeys.CAPACITY_PACKS);
    for (int i = 0; i < packs.size(); i++) {
      putEach(priced, "capacityPacks[" + i + "].prices.", packs.get(i).prices().keySet());
    }
    priced.forEach(
        (key, in) -> {
          if (!StripeAmounts.chargesEveryAmount(in)) {
            reading
                .at(key)
                .refuse(
                    "%1$s cannot be charged through Stripe while stripeEnabled is true: %1$s"
                            .formatted(in.getCurrencyCode())
                        + " amounts have %d decimals, Stripe takes %d"
                            .formatted(Money.minorDigits(in), StripeAmounts.decimals(in)));
          }
        });
  }

  /** Puts each currency under {@code prefix} and its code, in the codes' order. */
  private static void putEach(Map<String, Currency> priced, String prefix, Set<Currency> in) {
    in.stream()
        .sorted(Comparator.comparing(Currency::getCurrencyCode))
        .forEach(currency -> priced.put(prefix + currency.getCurrencyCode(), currency));
  }

  private Reading read(String json) {
    Reading reading = new Reading(json, cronValidator);
    for (String name : reading.savedNames()) {
      Optional<BillingKey<?>> key = BillingKeys.named(name);
      if (key.isEmpty()) {
        reading.at(name).refuse("unknown key");
      } else if (key.get().isSecret()) {
        reading.value(key.get()); // refused at once: a secret is never config
      }
    }
    BillingKeys.ALL.forEach(reading::value);
    checkAcrossKeys(reading);
    return reading;
  }

  private static void checkAcrossKeys(Reading reading) {
    if (reading.value(BillingKeys.STRIPE_TAX) && !reading.value(BillingKeys.STRIPE_ENABLED)) {
      // Stripe computes the tax: without Stripe there is nothing to compute it
      reading.at(BillingKeys.STRIPE_TAX.name()).refuse("needs stripeEnabled true");
      reading.reset(BillingKeys.STRIPE_TAX);
    }
    DefaultCurrencies.fit(reading);
    List<SubscriptionPlan> plans = reading.value(BillingKeys.SUBSCRIPTION_PLANS);
    Currency currency = reading.value(BillingKeys.CURRENCY);
    Set<Currency> others = reading.value(BillingKeys.CURRENCY_RATES).keySet();
    if (!checkPlanPrices(plans, currency, others, reading.at("subscriptionPlans"))) {
      // no further currencies keeps every plan priced in every currency
      reading.set(BillingKeys.CURRENCY_RATES, Map.of());
    }
    List<String> unsupported =
        reading.value(BillingKeys.CURRENCY_METER_RATES).keySet().stream()
            .filter(in -> !others.contains(in))
            .map(Currency::getCurrencyCode)
            .sorted()
            .toList();
    unsupported.forEach(
        code ->
            reading
                .at("currencyMeterRates")
                .member(code)
                .refuse("is not a supported currency: add its rates to currencyRates"));
    if (!unsupported.isEmpty()) {
      reading.set(BillingKeys.CURRENCY_METER_RATES, DefaultCurrencies.meterRatesOf(reading));
    }
    // overage of period counters is billed in the account's currency, never converted
    Set<Currency> metered = reading.value(BillingKeys.CURRENCY_METER_RATES).keySet();
    others.stream()
        .filter(in -> !metered.contains(in))
        .map(Currency::getCurrencyCode)
        .filter(code -> !reading.refused("currencyRates." + code)) // one problem at a time
        .sorted()
        .forEach(
            code ->
                reading
                    .at("currencyMeterRates")
                    .member(code)
                    .refuse("is required: each currency of currencyRates needs its meter rates"));
    if (reading.savedNames().contains(BillingKeys.CAPACITY_PACKS.name())
        && !checkPackPrices(reading.value(BillingKeys.CAPACITY_PACKS), currency, others, reading)) {
      reading.reset(BillingKeys.CAPACITY_PACKS);
    }
    checkMeters(reading, currency, others);
    String defaultPlan = reading.value(BillingKeys.DEFAULT_PLAN);
    if (plans.stream().noneMatch(p -> p.id().equals(defaultPlan))) {
      reading.at("defaultPlan").refuse("must be the id of one of subscriptionPlans");
    }
    // a trial that does not convert falls back to the default plan: that one has none
    if (plans.stream().anyMatch(p -> p.id().equals(defaultPlan) && p.trialDays() > 0)) {
      reading
          .at("defaultPlan")
          .refuse(
              "must be a plan without trial_days: a trial that does not convert falls back"
                  + " to it");
    }
  }

  /**
   * Each custom meter is priced in every supported currency and in no other (its usage is billed
   * in the account's currency, never converted); and the meters still name each meter the plans
   * and packs use when those are the defaults (saved ones name their own: an unknown meter is
   * refused at its place as they are read).
   */
  private static void checkMeters(Reading reading, Currency currency, Set<Currency> others) {
    Meters meters = reading.value(BillingKeys.METERS);
    Set<Currency> supported = new HashSet<>(others);
    supported.add(currency);
    Reading.At at = reading.at("meters");
    boolean priced = true;
    List<Meter> listed = meters.all();
    for (int i = 0; i < listed.size(); i++) {
      Meter meter = listed.get(i);
      if (meter.isBuiltIn()) {
        continue;
      }
      Reading.At pricesAt = at.element(MeterList.position(reading, meter, i)).member("prices");
      for (Currency in : meter.prices().keySet()) {
        if (!supported.contains(in)) {
          pricesAt
              .member(in.getCurrencyCode())
              .refuse("is not a supported currency: add its rates to currencyRates");
          priced = false;
        }
      }
      List<String> missing =
          supported.stream()
              .filter(in -> !meter.prices().containsKey(in))
              .map(Currency::getCurrencyCode)
              .sorted()
              .toList();
      missing.forEach(
          code ->
              pricesAt
                  .member(code)
                  .refuse(
                      "is required: every "
                          + (meter.measure() == Meter.Measure.HELD ? "held" : "custom")
                          + " meter needs a price in every supported currency"));
      priced &= missing.isEmpty();
    }
    Map<Meter, String> usedBy = new LinkedHashMap<>();
    if (!reading.savedNames().contains(BillingKeys.SUBSCRIPTION_PLANS.name())) {
      List<SubscriptionPlan> plans = reading.value(BillingKeys.SUBSCRIPTION_PLANS);
      for (int i = 0; i < plans.size(); i++) {
        for (Meter meter : plans.get(i).limits().keySet()) {
          usedBy.putIfAbsent(meter, "subscriptionPlans[" + i + "] (" + plans.get(i).id() + ")");
        }
      }
    }
    if (!reading.savedNames().contains(BillingKeys.CAPACITY_PACKS.name())) {
      List<CapacityPack> packs = reading.value(BillingKeys.CAPACITY_PACKS);
      for (int i = 0; i < packs.size(); i++) {
        for (Meter meter : packs.get(i).adds().keySet()) {
          usedBy.putIfAbsent(meter, "capacityPacks[" + i + "] (" + packs.get(i).id() + ")");
        }
      }
    }
    boolean kept = true;
    for (Map.Entry<Meter, String> use : usedBy.entrySet()) {
      if (meters.named(use.getKey().configName()).isEmpty()) {
        at.refuse(
            "must list %s: the default %s uses it (save them without it to remove it)"
                .formatted(use.getKey().configName(), use.getValue()));
        kept = false;
      }
    }
    if (!priced || !kept) {
      reading.reset(BillingKeys.METERS);
    }
  }

  /**
   * Every plan (saved or default) is priced in every supported currency, and no price has more
   * decimals than its currency: an account is charged in its own currency, never converted.
   * Answers whether every plan has a price in every currency.
   */
  private static boolean checkPlanPrices(
      List<SubscriptionPlan> plans, Currency currency, Set<Currency> others, Reading.At at) {
    boolean priced = true;
    for (int i = 0; i < plans.size(); i++) {
      SubscriptionPlan plan = plans.get(i);
      checkDecimals(plan.price(), currency, at.element(i).member("price"));
      Reading.At pricesAt = at.element(i).member("prices");
      plan.prices()
          .forEach(
              (in, price) -> {
                Reading.At priceAt = pricesAt.member(in.getCurrencyCode());
                if (in.equals(currency)) {
                  priceAt.refuse("is the default currency: give that price as price");
                } else if (!others.contains(in)) {
                  priceAt.refuse("is not a supported currency: add its rates to currencyRates");
                } else {
                  checkDecimals(price, in, priceAt);
                }
              });
      List<String> missing =
          others.stream()
              .filter(in -> !plan.prices().containsKey(in))
              .map(Currency::getCurrencyCode)
              .sorted()
              .toList();
      missing.forEach(
          code ->
              pricesAt
                  .member(code)
                  .refuse("is required: every plan needs a price in every supported currency"));
      priced &= missing.isEmpty();
    }
    return priced;
  }

  /**
   * Every saved pack is priced in every supported currency ({@code currency} and those of
   * currencyRates), with no more decimals than each has; a price in a further currency is kept
   * (a catalog may be priced before the currency is added). The default catalog is not checked:
   * priced in USD and VND, it is offered in those only. Answers whether all was well.
   */
  private static boolean checkPackPrices(
      List<CapacityPack> packs, Currency currency, Set<Currency> others, Reading reading) {
    Set<Currency> supported = new HashSet<>(others);
    supported.add(currency);
    Reading.At at = reading.at("capacityPacks");
    for (int i = 0; i < packs.size(); i++) {
      CapacityPack pack = packs.get(i);
      Reading.At pricesAt = at.element(i).member("prices");
      if (reading.refused(pricesAt.key())) {
        continue; // one problem at a time
      }
      pack.prices()
          .forEach(
              (in, price) -> {
                checkDecimals(price, in, pricesAt.member(in.getCurrencyCode()));
              });
      supported.stream()
          .filter(in -> !pack.prices().containsKey(in))
          .map(Currency::getCurrencyCode)
          .sorted()
          .forEach(
              code ->
                  pricesAt
                      .member(code)
                      .refuse("is required: every pack needs a price in every supported currency"));
    }
    return !reading.refused("capacityPacks");
  }

  private static void checkDecimals(BigDecimal amount, Currency currency, Reading.At at) {
    if (!Money.fitsMinorUnit(amount, currency)) {
      at.refuse(
          "has more decimals than "
              + currency.getCurrencyCode()
              + " has ("
              + Money.minorDigits(currency)
              + ")");
    }
  }
}
