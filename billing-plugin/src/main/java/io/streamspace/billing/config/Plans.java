package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * subscriptionPlans: a non-empty array of plans, each an object with a unique {@code id}, a
 * {@code name}, a {@code price} per {@code interval}, optional limits (the legacy {@code
 * cpu_limit}, {@code memory_limit}, {@code storage_limit} and {@code limits} by meter, which wins
 * over them), {@code prices} by ISO
 * code (whether those currencies are supported, the parser checks across keys), {@code
 * prepaid} (default false: its organizations pay usage from a prepaid balance) and {@code
 * trial_days} (default none: the days of its trial). When an element is not an object, the plans
 * keep their default.
 */
final class Plans {

  static final ValueType<String> INTERVAL = ValueType.oneOf(List.of("month", "year"), s -> s);
  static final ValueType<List<SubscriptionPlan>> TYPE =
      new ValueType<>("array", null, Plans::read, Plans::write);

  static final ValueType<String> ID =
      ValueType.text(s -> s.isBlank() ? null : s, "must not be blank", s -> s);
  private static final Set<String> FIELDS =
      Set.of(
          "id",
          "name",
          "price",
          "interval",
          "cpu_limit",
          "memory_limit",
          "storage_limit",
          "prices",
          "limits",
          "prepaid",
          "trial_days");
  private static final ValueType<Boolean> PREPAID = ValueType.flag();

  /**
   * A trial's days: at least 2, as Stripe's Checkout takes a trial ending 48 hours ahead at the
   * earliest; at most 730, as Stripe's Subscriptions.
   */
  static final ValueType<Integer> TRIAL_DAYS = ValueType.whole(2, 730);

  private static final ValueType<LimitKind> KIND =
      ValueType.oneOf(List.of(LimitKind.values()), LimitKind::configName);

  /** The plan keys older than {@code limits}, each the limit of one meter. */
  private enum LegacyLimit {
    CPU("cpu_limit", Meter.CPU_CORES, SubscriptionPlan::cpuLimit),
    MEMORY("memory_limit", Meter.MEMORY_GB, SubscriptionPlan::memoryLimit),
    STORAGE("storage_limit", Meter.STORAGE_GB, SubscriptionPlan::storageLimit);

    final String key;
    final Meter meter;
    final Function<SubscriptionPlan, BigDecimal> of;

    LegacyLimit(String key, Meter meter, Function<SubscriptionPlan, BigDecimal> of) {
      this.key = key;
      this.meter = meter;
      this.of = of;
    }
  }

  private Plans() {}

  private static List<SubscriptionPlan> read(
      JsonNode value, List<SubscriptionPlan> fallback, Reading.At at) {
    if (!value.isArray() || value.isEmpty()) {
      return at.refuse("must be a non-empty array of plans", fallback);
    }
    List<SubscriptionPlan> plans = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      Reading.At planAt = at.element(i);
      if (!(value.get(i) instanceof ObjectNode plan)) {
        planAt.refuse("must be an object");
        continue;
      }
      planAt.refuseUnknown(plan, FIELDS);
      String id = planAt.required(plan, "id") ? planAt.read(plan, "id", ID, "") : "";
      if (!id.isBlank() && !ids.add(id)) {
        planAt.member("id").refuse("duplicate plan id " + id);
      }
      List.of("name", "price", "interval").forEach(name -> planAt.required(plan, name));
      Map<Meter, MeterLimit> limits = limits(plan.get("limits"), planAt.member("limits"));
      Map<Meter, BigDecimal> legacy = new LinkedHashMap<>();
      for (LegacyLimit key : LegacyLimit.values()) {
        legacy.put(key.meter, legacyLimit(plan, key, limits.get(key.meter), planAt));
      }
      plans.add(
          new SubscriptionPlan(
              id,
              planAt.read(plan, "name", ValueType.text(), id),
              planAt.read(plan, "price", AMOUNT, BigDecimal.ZERO),
              planAt.read(plan, "interval", INTERVAL, "month"),
              legacy.get(Meter.CPU_CORES),
              legacy.get(Meter.MEMORY_GB),
              legacy.get(Meter.STORAGE_GB),
              prices(plan.get("prices"), planAt.member("prices")),
              limits,
              plan.hasNonNull("prepaid") && planAt.read(plan, "prepaid", PREPAID, false),
              plan.hasNonNull("trial_days") ? planAt.read(plan, "trial_days", TRIAL_DAYS, 0) : 0));
    }
    return plans.size() == value.size() ? List.copyOf(plans) : fallback;
  }

  /**
   * A legacy limit key's value: the {@code limits} entry of its meter when there is one (which
   * wins), refused when both are given with different limits.
   */
  private static BigDecimal legacyLimit(
      ObjectNode plan, LegacyLimit key, MeterLimit explicit, Reading.At planAt) {
    BigDecimal given = planAt.read(plan, key.key, AMOUNT, null);
    if (explicit == null) {
      return given;
    }
    if (given != null && (explicit.limit() == null || given.compareTo(explicit.limit()) != 0)) {
      planAt
          .member(key.key)
          .refuse(
              "is %s but limits.%s.limit is %s: give one of them, or the same"
                  .formatted(given.toPlainString(), key.meter.configName(), explicit.limit()));
    }
    return explicit.limit();
  }

  /** A plan's {@code limits}: by meter name, each {@code {"limit": n or null, "kind"?}}. */
  private static Map<Meter, MeterLimit> limits(JsonNode value, Reading.At at) {
    Map<Meter, MeterLimit> limits = new LinkedHashMap<>();
    ObjectNode object = at.object(value);
    if (object == null) {
      return limits;
    }
    Meters meters = at.reading().value(BillingKeys.METERS);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At limitAt = at.member(entry.getKey());
      Meter meter = meters.named(entry.getKey()).orElse(null);
      ObjectNode limit = meter == null ? null : limitAt.object(entry.getValue());
      if (meter == null) {
        limitAt.refuse("unknown meter: must be one of meters (" + meters.listed() + ")");
      } else if (limit != null) {
        limitAt.refuseUnknown(limit, List.of("limit", "kind"));
        if (!limit.has("limit")) {
          limitAt.member("limit").refuse("is required (null: unlimited)");
        }
        limits.put(
            meter,
            new MeterLimit(
                limitAt.read(limit, "limit", AMOUNT, null),
                limit.hasNonNull("kind") ? limitAt.read(limit, "kind", KIND, null) : null));
      }
    }
    return limits;
  }

  /**
   * A plan's (or pack's) prices by ISO code; whether each currency is supported is checked
   * across keys.
   */
  static Map<Currency, BigDecimal> prices(JsonNode value, Reading.At at) {
    Map<Currency, BigDecimal> prices = new HashMap<>();
    ObjectNode object = at.object(value);
    if (object == null) {
      return prices;
    }
    for (Map.Entry<String, JsonNode> price : object.properties()) {
      Reading.At priceAt = at.member(price.getKey());
      BigDecimal amount = AMOUNT.read(price.getValue(), null, priceAt);
      Currency in = Money.currency(price.getKey()).orElse(null);
      if (in == null) {
        priceAt.refuse("must be a known ISO 4217 currency code, for example VND");
      } else if (amount != null) {
        prices.put(in, amount);
      }
    }
    return prices;
  }

  private static JsonNode write(List<SubscriptionPlan> plans) {
    ArrayNode written = JSON.arrayNode();
    for (SubscriptionPlan plan : plans) {
      ObjectNode object =
          written
              .addObject()
              .put("id", plan.id())
              .put("name", plan.name())
              .put("price", plan.price())
              .put("interval", plan.interval());
      for (LegacyLimit key : LegacyLimit.values()) {
        if (!plan.limits().containsKey(key.meter)) { // else limits shows it, editable in one place
          object.put(key.key, key.of.apply(plan));
        }
      }
      object.set("prices", Rates.byCode(plan.prices(), AMOUNT::write));
      object.set("limits", writeLimits(plan.limits()));
      if (plan.prepaid()) { // written only when set: other plans read as they did before it
        object.put("prepaid", true);
      }
      if (plan.trialDays() > 0) { // likewise
        object.put("trial_days", plan.trialDays());
      }
    }
    return written;
  }

  private static JsonNode writeLimits(Map<Meter, MeterLimit> limits) {
    ObjectNode written = JSON.objectNode();
    for (Meter meter : limits.keySet().stream().sorted(Meters.BUILT_IN_FIRST).toList()) {
      MeterLimit limit = limits.get(meter);
      ObjectNode entry = written.putObject(meter.configName()).put("limit", limit.limit());
      if (limit.kind() != null) {
        entry.put("kind", limit.kind().configName());
      }
    }
    return written;
  }
}
