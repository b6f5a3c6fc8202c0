package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;

/**
 * The one rounding rule of the plugin: amounts keep full precision until a line total is shown
 * or invoiced, which is computed with one division and rounded once, to the currency's minor
 * unit (USD 2 decimals, VND 0), half up.
 */
public final class Money {

  public static final RoundingMode ROUNDING = RoundingMode.HALF_UP;

  /**
   * How Stripe writes a currency's amounts: in units of 10^-{@code exponent}, an amount having
   * at most {@code decimals} decimals (the minor units ending in zeros beyond them).
   */
  private record StripeUnit(int exponent, int decimals) {}

  /**
   * The currencies whose amounts Stripe writes otherwise than ISO 4217 (Java) says, from
   * Stripe's list (docs.stripe.com/currencies): every other currency is in its ISO minor unit.
   */
  private static final Map<String, StripeUnit> STRIPE_UNITS =
      Map.of(
          // zero-decimal currencies Stripe keeps two decimals for, always 00: 5 ISK is 500
          "ISK", new StripeUnit(2, 0),
          "UGX", new StripeUnit(2, 0),
          // ISO 4217 gives the ariary 2 decimals; Stripe takes it whole
          "MGA", new StripeUnit(0, 0),
          // three-decimal currencies: Stripe's last digit is 0, so an amount has at most two
          "BHD", new StripeUnit(3, 2),
          "JOD", new StripeUnit(3, 2),
          "KWD", new StripeUnit(3, 2),
          "OMR", new StripeUnit(3, 2),
          "TND", new StripeUnit(3, 2));

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

  /**
   * The amount as Stripe takes it: a whole number of Stripe's minor unit of the currency
   * ({@code 5.00} USD is 500 cents, {@code 125000} VND is 125000, {@code 5} ISK is 500),
   * exact, never rounded.
   *
   * @throws ArithmeticException naming the amount when Stripe cannot take it: finer than
   *     Stripe takes the currency ({@code 1.5} ISK, {@code 1.005} BHD), or beyond a long
   */
  public static long toMinorUnits(BigDecimal amount, Currency currency) {
    StripeUnit unit = stripeUnit(currency);
    if (amount.stripTrailingZeros().scale() > unit.decimals()) {
      throw new ArithmeticException(
          "%s %s cannot be charged through Stripe, which takes %s amounts to %d decimals"
              .formatted(
                  currency.getCurrencyCode(),
                  amount.toPlainString(),
                  currency.getCurrencyCode(),
                  unit.decimals()));
    }
    return amount.movePointRight(unit.exponent()).longValueExact();
  }

  /**
   * An amount Stripe gives in its minor unit of the currency, at the currency's scale (500 ISK
   * from Stripe is {@code 5}); one finer than the currency (never sent by Stripe) is kept exact.
   */
  public static BigDecimal fromMinorUnits(long minorUnits, Currency currency) {
    BigDecimal amount = BigDecimal.valueOf(minorUnits, stripeUnit(currency).exponent());
    int digits = minorDigits(currency);
    return amount.stripTrailingZeros().scale() <= digits
        ? amount.setScale(digits, RoundingMode.UNNECESSARY)
        : amount;
  }

  /**
   * Whether Stripe takes every amount the plugin may invoice in the currency: as many decimals
   * as the currency has (USD, VND, ISK yes; BHD, whose 1.005 Stripe refuses, and MGA, which
   * Stripe takes whole, no).
   */
  public static boolean stripeChargesEveryAmount(Currency currency) {
    return stripeDecimals(currency) >= minorDigits(currency);
  }

  /** The most decimals of an amount Stripe takes in the currency: 2 for USD, 2 for BHD. */
  public static int stripeDecimals(Currency currency) {
    return stripeUnit(currency).decimals();
  }

  /** The currency's decimals: 2 for USD, 0 for VND. */
  public static int minorDigits(Currency currency) {
    // pseudo-currencies (XXX) answer -1: no minor unit
    return Math.max(currency.getDefaultFractionDigits(), 0);
  }

  private static StripeUnit stripeUnit(Currency currency) {
    StripeUnit iso = new StripeUnit(minorDigits(currency), minorDigits(currency));
    return STRIPE_UNITS.getOrDefault(currency.getCurrencyCode(), iso);
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
