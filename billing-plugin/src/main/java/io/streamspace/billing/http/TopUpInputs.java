package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.config.TopUpLimits;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.common.http.ApiException;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * What a request asking for money onto a prepaid balance gives, checked before Stripe is asked
 * or anything is stored: a Checkout top-up's {@code top_up} and an auto top-up rule's amounts.
 * Each refusal is 400 naming the field.
 */
final class TopUpInputs {

  private TopUpInputs() {}

  /**
   * The amount of {@code {"top_up":{"amount","currency"}}}: a positive JSON number in the
   * organization's currency, with no more decimals than it, within the currency's top-up limits
   * (config topUpLimits).
   */
  static BigDecimal checkoutAmount(JsonNode body, Currency currency, TopUpLimits.Limit limit)
      throws ApiException {
    JsonNode topUp = body.get("top_up");
    if (topUp == null || !topUp.isObject()) {
      throw ApiException.badParameter(
          "top_up", "top_up must be an object {\"amount\",\"currency\"}");
    }
    BigDecimal amount = Amounts.positive(topUp, "amount", "top_up.amount");
    JsonNode given = topUp.get("currency");
    if (given == null || !given.isTextual()) {
      throw ApiException.badParameter(
          "top_up.currency", "top_up.currency is required (an ISO 4217 code)");
    }
    if (!given.asText().equals(currency.getCurrencyCode())) {
      throw ApiException.badParameter(
          "top_up.currency",
          "the organization is billed in %s: its balance is topped up in that currency"
              .formatted(currency.getCurrencyCode()));
    }
    Amounts.requireMinorUnit("top_up.amount", amount, currency);
    within("top_up.amount", amount, currency, limit);
    return amount;
  }

  /** 400 naming {@code field} unless {@code amount} is within the top-up limits. */
  static void within(String field, BigDecimal amount, Currency currency, TopUpLimits.Limit limit)
      throws ApiException {
    if (amount.compareTo(limit.min()) < 0 || amount.compareTo(limit.max()) > 0) {
      throw ApiException.badParameter(
          field,
          "%s must be from %s to %s (a top-up's limits in %s)"
              .formatted(
                  field,
                  MoneyText.of(limit.min(), currency),
                  MoneyText.of(limit.max(), currency),
                  currency.getCurrencyCode()));
    }
  }
}
