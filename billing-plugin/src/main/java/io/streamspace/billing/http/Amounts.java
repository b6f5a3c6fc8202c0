package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.money.Money;
import io.streamspace.common.http.ApiException;
import java.math.BigDecimal;
import java.util.Currency;

/** Amounts of money a body gives: credits granted, spending limits, top-ups. */
final class Amounts {

  /** Integer digits an amount may have: far above any real amount, below numeric overflow. */
  private static final int MAX_INTEGER_DIGITS = 15;

  private Amounts() {}

  /**
   * A JSON number above zero; strings are refused so that no client relies on coercion.
   *
   * @throws ApiException 400 naming the member otherwise
   */
  static BigDecimal positive(JsonNode body, String member) throws ApiException {
    return positive(body, member, member);
  }

  /**
   * {@link #positive(JsonNode, String)} of a member of a nested object, refused naming {@code
   * field}, its place in the body ({@code top_up.amount}).
   */
  static BigDecimal positive(JsonNode object, String member, String field) throws ApiException {
    JsonNode value = object.get(member);
    if (value == null || !value.isNumber()) {
      throw ApiException.badParameter(field, field + " is required (a JSON number)");
    }
    BigDecimal amount = value.decimalValue();
    if (amount.signum() <= 0) {
      throw ApiException.badParameter(field, field + " must be greater than zero");
    }
    if (amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
      throw ApiException.badParameter(field, field + " is too large");
    }
    return amount;
  }

  /** 400 naming the member when the amount has more decimals than the currency. */
  static void requireMinorUnit(String member, BigDecimal amount, Currency currency)
      throws ApiException {
    if (!Money.fitsMinorUnit(amount, currency)) {
      throw ApiException.badParameter(
          member,
          currency.getCurrencyCode()
              + " amounts have at most "
              + Money.minorDigits(currency)
              + " decimals");
    }
  }
}
