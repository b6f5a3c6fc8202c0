package io.streamspace.billing.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Optional;

/**
 * The one rounding rule of the plugin: amounts keep full precision until a line total is shown
 * or invoiced, which is rounded to the currency's minor unit (USD 2 decimals, VND 0) half up.
 */
public final class Money {

  public static final RoundingMode ROUNDING = RoundingMode.HALF_UP;

  private Money() {}

  /** Rounds a line total to the currency's minor unit. */
  public static BigDecimal roundLineTotal(BigDecimal amount, Currency currency) {
    return amount.setScale(Math.max(currency.getDefaultFractionDigits(), 0), ROUNDING);
  }

  /** The ISO 4217 currency of that code, if Java knows it. */
  public static Optional<Currency> currency(String code) {
    if (code == null || code.length() != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(Currency.getInstance(code));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
