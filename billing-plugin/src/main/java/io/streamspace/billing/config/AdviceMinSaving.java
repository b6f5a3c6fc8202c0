package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * adviceMinSaving: the least saving the advisor announces ({@code billing.advice.available}), per
 * currency, keyed by ISO code as topUpLimits is: {@code {"USD": 5, "VND": 125000}}. Money is
 * never converted, so each currency has its own; one left out keeps its default, one without a
 * default is never announced.
 */
final class AdviceMinSaving {

  static final ValueType<Map<Currency, BigDecimal>> TYPE =
      new ValueType<>("object", null, AdviceMinSaving::read, AdviceMinSaving::write);

  private AdviceMinSaving() {}

  private static Map<Currency, BigDecimal> read(
      JsonNode value, Map<Currency, BigDecimal> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Map<Currency, BigDecimal> amounts = new LinkedHashMap<>(fallback);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At amountAt = at.member(entry.getKey());
      Currency currency = Money.currency(entry.getKey()).orElse(null);
      if (currency == null) {
        amountAt.refuse("must be a known ISO 4217 currency code, for example USD");
        continue;
      }
      int problems = at.reading().problemCount();
      BigDecimal amount = AMOUNT.read(entry.getValue(), null, amountAt);
      if (at.reading().problemCount() > problems) {
        continue;
      }
      if (!Money.fitsMinorUnit(amount, currency)) {
        amountAt.refuse(
            "amounts in %s have at most %d decimals"
                .formatted(currency.getCurrencyCode(), Money.minorDigits(currency)));
      } else {
        amounts.put(currency, amount);
      }
    }
    return Map.copyOf(amounts);
  }

  private static JsonNode write(Map<Currency, BigDecimal> amounts) {
    return Rates.byCode(amounts, JSON::numberNode);
  }
}
