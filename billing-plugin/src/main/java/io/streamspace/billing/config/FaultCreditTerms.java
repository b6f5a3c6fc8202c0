package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The types of the fault credit keys: {@code faultCreditPolicy}, {@code {"last_minutes": 15}} or
 * {@code "whole_session"}; and {@code faultCreditCap}, the most fault credits may give an
 * organization in a billing period, by ISO code: {@code {"USD": 50}}. A currency left out of the
 * cap keeps its default; one without a default is not capped.
 */
public final class FaultCreditTerms {

  /**
   * What a fault credit covers of its session.
   *
   * @param lastMinutes the minutes before its end; null for the whole session
   */
  public record Policy(Integer lastMinutes) {

    public static final Policy WHOLE_SESSION = new Policy(null);

    /** The credited stretch's length, or null for the whole session. */
    public Duration last() {
      return lastMinutes == null ? null : Duration.ofMinutes(lastMinutes);
    }
  }

  private static final String WHOLE_SESSION = "whole_session";
  private static final String LAST_MINUTES = "last_minutes";
  private static final ValueType<Integer> MINUTES = ValueType.whole(1, 1440);

  static final ValueType<Policy> POLICY =
      new ValueType<>(
          "object",
          "{\"" + LAST_MINUTES + "\": " + MINUTES.allowed() + "} or \"" + WHOLE_SESSION + "\"",
          FaultCreditTerms::readPolicy,
          FaultCreditTerms::writePolicy);

  static final ValueType<Map<Currency, BigDecimal>> CAP =
      new ValueType<>("object", null, FaultCreditTerms::readCap, FaultCreditTerms::writeCap);

  private FaultCreditTerms() {}

  private static Policy readPolicy(JsonNode value, Policy fallback, Reading.At at) {
    if (value.isTextual() && value.textValue().equals(WHOLE_SESSION)) {
      return Policy.WHOLE_SESSION;
    }
    if (!value.isObject()) {
      return at.refuse("must be {\"last_minutes\": n} or \"whole_session\"", fallback);
    }
    ObjectNode object = (ObjectNode) value;
    at.refuseUnknown(object, Set.of(LAST_MINUTES));
    if (!at.required(object, LAST_MINUTES)) {
      return fallback;
    }
    Integer minutes = at.read(object, LAST_MINUTES, MINUTES, null);
    return minutes == null ? fallback : new Policy(minutes);
  }

  private static JsonNode writePolicy(Policy policy) {
    return policy.lastMinutes() == null
        ? JSON.textNode(WHOLE_SESSION)
        : JSON.objectNode().put(LAST_MINUTES, policy.lastMinutes());
  }

  private static Map<Currency, BigDecimal> readCap(
      JsonNode value, Map<Currency, BigDecimal> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Map<Currency, BigDecimal> caps = new LinkedHashMap<>(fallback);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At capAt = at.member(entry.getKey());
      Currency currency = Money.currency(entry.getKey()).orElse(null);
      BigDecimal cap = AMOUNT.read(entry.getValue(), null, capAt);
      if (currency == null) {
        capAt.refuse("must be a known ISO 4217 currency code, for example USD");
      } else if (cap != null && !Money.fitsMinorUnit(cap, currency)) {
        capAt.refuse(
            "amounts in %s have at most %d decimals"
                .formatted(currency.getCurrencyCode(), Money.minorDigits(currency)));
      } else if (cap != null) {
        caps.put(currency, cap);
      }
    }
    return Map.copyOf(caps);
  }

  private static JsonNode writeCap(Map<Currency, BigDecimal> caps) {
    return Rates.byCode(caps, AMOUNT::write);
  }
}
