package io.streamspace.billing.config;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * The catalog an operator starts with: the default plans and packs of {@link BillingKeys}, and
 * the second currency they are priced in.
 */
final class DefaultCatalog {

  /**
   * The default catalog's second currency, beside USD (the seeds' two): its rates, plan prices
   * and pack prices are the USD ones at 25,000 VND a USD, rounded where a USD figure has cents.
   */
  static final Currency VND = Currency.getInstance("VND");

  /** The default {@code subscriptionPlans}: Hobby, Pro and Enterprise. */
  static final List<SubscriptionPlan> PLANS =
      List.of(
          plan(
              "free",
              "Hobby",
              "0",
              "0",
              "2",
              "4",
              "2",
              Map.of(
                  Meter.STORAGE_GB, limit("2", LimitKind.HARD),
                  Meter.ACTIVE_SESSIONS, limit("2", LimitKind.HARD),
                  Meter.BANDWIDTH_GB, limit("5", null),
                  Meter.TRANSCODING_MINUTES, limit("60", null),
                  Meter.AI_QUERIES, limit("100", LimitKind.SOFT),
                  Meter.MEMBERS, limit("5", LimitKind.HARD))),
          plan(
              "pro",
              "Pro",
              "29.99",
              "750000",
              "8",
              "16",
              "100",
              Map.of(
                  Meter.AI_QUERIES, limit("1000", LimitKind.SOFT),
                  Meter.MEMBERS, limit("5", LimitKind.SOFT))),
          plan(
              "enterprise",
              "Enterprise",
              "99.99",
              "2500000",
              "32",
              "64",
              "500",
              Map.of(
                  Meter.AI_QUERIES, limit("10000", LimitKind.SOFT),
                  Meter.MEMBERS, limit("25", LimitKind.SOFT))));

  /** The default {@code capacityPacks}. */
  static final List<CapacityPack> PACKS =
      List.of(
          oneTimePack("slots-5", "5 job slots", Meter.ACTIVE_SESSIONS, "5", "5.00", "125000"),
          oneTimePack("slots-20", "20 job slots", Meter.ACTIVE_SESSIONS, "20", "18.00", "450000"),
          oneTimePack("slots-50", "50 job slots", Meter.ACTIVE_SESSIONS, "50", "40.00", "1000000"),
          oneTimePack(
              "slots-100", "100 job slots", Meter.ACTIVE_SESSIONS, "100", "70.00", "1750000"),
          new CapacityPack(
              "storage-10",
              "10 GB storage",
              Map.of(Meter.STORAGE_GB, new BigDecimal("10")),
              usdAndVnd("2.00", "50000"),
              CapacityPack.Kind.RECURRING,
              null),
          oneTimePack(
              "bandwidth-50", "50 GB bandwidth", Meter.BANDWIDTH_GB, "50", "4.00", "100000"));

  private DefaultCatalog() {}

  /**
   * A default plan: monthly, priced in USD ({@code price}, the default currency's) and VND (at
   * 25,000 VND a USD, as the default rates, rounded to a round figure: 29.99 USD is 750,000 VND,
   * 99.99 USD 2,500,000 VND), the seeds' two currencies. The tiers follow the feature
   * spec, Hobby, Pro and Enterprise (ids {@code free}, {@code pro}, {@code enterprise} kept:
   * accounts reference them). Its limits follow the seeds (the free tier's storage, bandwidth,
   * transcoding and active jobs; AI queries soft; "upgrade to Pro to add more than 5 members":
   * Hobby's 5 members hard, Pro's 5 included and each further seat billed); the AI query
   * allowances (100, 1,000 as the example, 10,000) and Enterprise's 25 included seats are
   * this project's choice.
   */
  private static SubscriptionPlan plan(
      String id,
      String name,
      String price,
      String vndPrice,
      String cpu,
      String memory,
      String storage,
      Map<Meter, MeterLimit> limits) {
    return new SubscriptionPlan(
        id,
        name,
        new BigDecimal(price),
        "month",
        new BigDecimal(cpu),
        new BigDecimal(memory),
        new BigDecimal(storage),
        Map.of(VND, new BigDecimal(vndPrice)),
        limits,
        false,
        0);
  }

  /**
   * A default pack valid for 30 days, priced in USD and VND (the VND example of
   * docs/reference/configuration.md): the prices are this project's choice.
   */
  private static CapacityPack oneTimePack(
      String id, String name, Meter meter, String adds, String usd, String vnd) {
    return new CapacityPack(
        id,
        name,
        Map.of(meter, new BigDecimal(adds)),
        usdAndVnd(usd, vnd),
        CapacityPack.Kind.ONE_TIME,
        30);
  }

  private static Map<Currency, BigDecimal> usdAndVnd(String usd, String vnd) {
    return Map.of(Currency.getInstance("USD"), new BigDecimal(usd), VND, new BigDecimal(vnd));
  }

  private static MeterLimit limit(String amount, LimitKind kind) {
    return new MeterLimit(new BigDecimal(amount), kind);
  }
}
