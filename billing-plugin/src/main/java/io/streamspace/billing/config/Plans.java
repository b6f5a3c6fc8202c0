package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * subscriptionPlans: a non-empty array of plans, each an object with a unique {@code id}, a
 * {@code name}, a {@code price} per {@code interval}, optional limits, and {@code prices} by ISO
 * code (whether those currencies are supported, the parser checks across keys). When an element
 * is not an object, the plans keep their default.
 */
final class Plans {

  static final ValueType<String> INTERVAL = ValueType.oneOf(List.of("month", "year"), s -> s);
  static final ValueType<List<SubscriptionPlan>> TYPE =
      new ValueType<>("array", null, Plans::read, Plans::write);

  private static final ValueType<String> ID =
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
          "prices");

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
      plans.add(
          new SubscriptionPlan(
              id,
              planAt.read(plan, "name", ValueType.text(), id),
              planAt.read(plan, "price", AMOUNT, BigDecimal.ZERO),
              planAt.read(plan, "interval", INTERVAL, "month"),
              planAt.read(plan, "cpu_limit", AMOUNT, null),
              planAt.read(plan, "memory_limit", AMOUNT, null),
              planAt.read(plan, "storage_limit", AMOUNT, null),
              prices(plan.get("prices"), planAt.member("prices"))));
    }
    return plans.size() == value.size() ? List.copyOf(plans) : fallback;
  }

  /** A plan's prices by ISO code; whether each currency is supported is checked across keys. */
  private static Map<Currency, BigDecimal> prices(JsonNode value, Reading.At at) {
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
      written
          .addObject()
          .put("id", plan.id())
          .put("name", plan.name())
          .put("price", plan.price())
          .put("interval", plan.interval())
          .put("cpu_limit", plan.cpuLimit())
          .put("memory_limit", plan.memoryLimit())
          .put("storage_limit", plan.storageLimit())
          .set("prices", Rates.byCode(plan.prices(), AMOUNT::write));
    }
    return written;
  }
}
