package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Optional;

/**
 * The one rounding rule of the plugin: amounts keep full precision until a line total is shown
 * or invoiced, which is computed with one division and rounded once, to the currency's minor
 * unit (USD 2 decimals, VND 0), half up. Its one exception is what is reserved rather than
 * charged ({@link #hold}): rounded up, so a reservation never holds less than what it covers.
 * The minor unit is ISO 4217's as the JDK gives it ({@link Currency#getDefaultFractionDigits});
 * where Stripe counts a currency otherwise, its rule is the payment adapter's ({@code
 * stripe.StripeAmounts}), not the money's.
 */
public final class Money {

  public static final RoundingMode ROUNDING = RoundingMode.HALF_UP;

  private Money() {}

  /**
   * A line total: {@code round(Σ(unit-seconds × unit price) / unit-seconds per unit)}. The sum is
   * exact, and {@link BigDecimal#divide(BigDecimal, int, RoundingMode)} rounds the true quotient
   * directly to the minor unit, so there is no intermediate rounding to drift (as a quotient
   * rounded to some scale first and then again to cents could).
   *
   * @param pricedUnitSeconds  Σ unit-seconds × unit price, exact
   * @param unitSecondsPerUnit the unit's divisor ({@link UsageUnit#unitSecondsPerUnit})
   */
  public static BigDecimal lineTotal(
      BigDecimal pricedUnitSeconds, BigDecimal unitSecondsPerUnit, Currency currency) {
    return pricedUnitSeconds.divide(unitSecondsPerUnit, minorDigits(currency), ROUNDING);
  }

  /**
   * An amount computed at more precision than the currency's (a forecast's), rounded once to
   * its minor unit by the same rule as a line total.
   */
  public static BigDecimal rounded(BigDecimal amount, Currency currency) {
    return amount.setScale(minorDigits(currency), ROUNDING);
  }

  /**
   * What a reservation holds for usage not yet rated: {@link #lineTotal}'s one division, rounded
   * <em>up</em> to the minor unit (0.035 USD holds 0.04): never less than the exact cost of the
   * usage it holds for.
   */
  public static BigDecimal hold(
      BigDecimal pricedUnitSeconds, BigDecimal unitSecondsPerUnit, Currency currency) {
    return pricedUnitSeconds.divide(
        unitSecondsPerUnit, minorDigits(currency), RoundingMode.CEILING);
  }

  /** Zero in the currency's minor unit ({@code 0.00} USD, {@code 0} VND). */
  public static BigDecimal zero(Currency currency) {
    return BigDecimal.ZERO.setScale(minorDigits(currency));
  }

  /**
   * A stored amount at the currency's scale ({@code 5} USD shows as {@code 5.00}). Stored
   * amounts were rounded once already, so this never rounds: it fails if it would have to.
   */
  public static BigDecimal shown(BigDecimal amount, Currency currency) {
    return amount.setScale(minorDigits(currency), RoundingMode.UNNECESSARY);
  }

  /** Whether the amount has no more decimals than the currency ({@code 1.50} USD yes, VND no). */
  public static boolean fitsMinorUnit(BigDecimal amount, Currency currency) {
    return amount.stripTrailingZeros().scale() <= minorDigits(currency);
  }

  /** The currency's decimals: 2 for USD, 0 for VND. */
  public static int minorDigits(Currency currency) {
    // pseudo-currencies (XXX) answer -1: no minor unit
    return Math.max(currency.getDefaultFractionDigits(), 0);
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
