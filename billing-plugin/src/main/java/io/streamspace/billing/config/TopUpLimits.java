package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.stripe.StripeAmounts;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * topUpLimits: the least and the most one top-up of a prepaid balance may be (a Checkout top-up, a
 * charge of an auto top-up rule), per currency, keyed by ISO code: {@code {"USD": {"min": 5,
 * "max": 10000}}}. Stripe refuses a charge below its minimum (0.50 USD, or its equivalent in the
 * charge's currency, which only the operator's Stripe account knows) and above eight digits of
 * minor units; a minimum of the operator's own keeps every top-up above Stripe's. A currency left
 * out keeps its default; one without a default takes any amount from its smallest unit up to
 * Stripe's eight digits ({@link #of}).
 */
public final class TopUpLimits {

  /** What one top-up in a currency may be, both ends included. */
  public record Limit(BigDecimal min, BigDecimal max) {}

  static final ValueType<Map<Currency, Limit>> TYPE =
      new ValueType<>("object", null, TopUpLimits::read, TopUpLimits::write);

  private static final Set<String> FIELDS = Set.of("min", "max");

  private TopUpLimits() {}

  /**
   * The limit of a currency in {@code limits}, never above Stripe's eight digits of minor units;
   * for a currency without one, from its smallest unit to Stripe's most.
   */
  static Limit of(Map<Currency, Limit> limits, Currency currency) {
    BigDecimal stripeMost = StripeAmounts.largestCharge(currency);
    Limit limit = limits.get(currency);
    if (limit == null) {
      return new Limit(BigDecimal.ONE.movePointLeft(Money.minorDigits(currency)), stripeMost);
    }
    return new Limit(limit.min(), limit.max().min(stripeMost));
  }

  private static Map<Currency, Limit> read(
      JsonNode value, Map<Currency, Limit> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Map<Currency, Limit> limits = new LinkedHashMap<>(fallback);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At limitAt = at.member(entry.getKey());
      Currency currency = Money.currency(entry.getKey()).orElse(null);
      if (currency == null) {
        limitAt.refuse("must be a known ISO 4217 currency code, for example USD");
        continue;
      }
      ObjectNode saved = limitAt.object(entry.getValue());
      if (saved == null) {
        continue;
      }
      int problems = at.reading().problemCount();
      limitAt.refuseUnknown(saved, FIELDS);
      limitAt.required(saved, "min");
      limitAt.required(saved, "max");
      BigDecimal min = limitAt.read(saved, "min", AMOUNT, null);
      BigDecimal max = limitAt.read(saved, "max", AMOUNT, null);
      if (at.reading().problemCount() > problems) {
        continue;
      }
      if (min.signum() <= 0) {
        limitAt.member("min").refuse("must be greater than 0");
      } else if (max.compareTo(min) < 0) {
        limitAt.member("max").refuse("must be at least min");
      } else if (!Money.fitsMinorUnit(min, currency) || !Money.fitsMinorUnit(max, currency)) {
        limitAt.refuse(
            "amounts in %s have at most %d decimals"
                .formatted(currency.getCurrencyCode(), Money.minorDigits(currency)));
      } else {
        limits.put(currency, new Limit(min, max));
      }
    }
    return Map.copyOf(limits);
  }

  private static JsonNode write(Map<Currency, Limit> limits) {
    return Rates.byCode(
        limits, limit -> JSON.objectNode().put("min", limit.min()).put("max", limit.max()));
  }
}
