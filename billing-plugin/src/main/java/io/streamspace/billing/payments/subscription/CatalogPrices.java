package io.streamspace.billing.payments.subscription;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeCatalog.CatalogPrice;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Stripe Prices the config sells: per plan and currency it is priced in, a price recurring at
 * the plan's interval (Product {@code ss_plan_<id>}, lookup key {@code ss_plan_<id>_<currency>},
 * metadata {@code plan_id}); per pack and currency, a one-time price ({@code ss_pack_<id>},
 * {@code ss_pack_<id>_<currency>}, {@code pack_id}). Each declares the configured tax behaviour.
 */
public final class CatalogPrices {

  private CatalogPrices() {}

  /** Every plan's and pack's prices, plans first, currencies in the config's order. */
  public static List<CatalogPrice> of(BillingConfig config, String taxBehavior) {
    List<CatalogPrice> wanted = new ArrayList<>();
    for (SubscriptionPlan plan : config.subscriptionPlans()) {
      for (Currency currency : config.supportedCurrencies()) {
        config
            .priceOf(plan, currency)
            .ifPresent(amount -> wanted.add(plan(plan, amount, currency, taxBehavior)));
      }
    }
    for (CapacityPack pack : config.capacityPacks()) {
      pack.prices().entrySet().stream()
          .sorted(Map.Entry.comparingByKey(Comparator.comparing(Currency::getCurrencyCode)))
          .forEach(
              e ->
                  wanted.add(
                      new CatalogPrice(
                          "ss_pack_" + pack.id(),
                          pack.name() == null ? pack.id() : pack.name(),
                          "ss_pack_" + pack.id() + "_" + lower(e.getKey()),
                          StripeAmounts.toMinorUnits(e.getValue(), e.getKey()),
                          lower(e.getKey()),
                          null,
                          taxBehavior,
                          Map.of("pack_id", pack.id()))));
    }
    return wanted;
  }

  /** The plan's price in the currency (it is priced in it). */
  public static CatalogPrice plan(
      SubscriptionPlan plan, BigDecimal amount, Currency currency, String taxBehavior) {
    return new CatalogPrice(
        "ss_plan_" + plan.id(),
        plan.name() == null ? plan.id() : plan.name(),
        "ss_plan_" + plan.id() + "_" + lower(currency),
        StripeAmounts.toMinorUnits(amount, currency),
        lower(currency),
        plan.interval(),
        taxBehavior,
        Map.of("plan_id", plan.id()));
  }

  private static String lower(Currency currency) {
    return currency.getCurrencyCode().toLowerCase(Locale.ROOT);
  }
}
