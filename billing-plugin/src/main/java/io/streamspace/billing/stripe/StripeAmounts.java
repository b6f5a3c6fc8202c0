package io.streamspace.billing.stripe;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Map;

/**
 * Stripe's rule for a currency's amounts, from its list of currencies (docs.stripe.com/currencies):
 * Stripe takes and gives amounts as whole numbers of its minor unit of the currency, which is
 * ISO 4217's as the JDK gives it ({@link Money#minorDigits}: 5.00 USD is 500, 125000 VND is
 * 125000) except for the currencies of {@link #EXCEPTIONS}, where Stripe differs from ISO: ISK
 * and UGX whole but written with two decimals always {@code 00}, MGA whole though ISO gives it
 * two decimals, and the three-decimal BHD, JOD, KWD, OMR and TND whose last digit Stripe requires
 * to be 0. Every other currency of Stripe's zero-decimal list (BIF, CLP, DJF, GNF, JPY, KMF, KRW,
 * PYG, RWF, VND, VUV, XAF, XOF, XPF) has no decimals in ISO either.
 *
 * <p>Nothing here rounds: an amount Stripe cannot take is refused, naming it. The config refuses
 * the currencies Stripe cannot charge every invoice of while Stripe is enabled ({@link
 * #chargesEveryAmount}), since invoices round to ISO's decimals.
 */
public final class StripeAmounts {

  /**
   * How Stripe writes a currency's amounts: in units of 10^-{@code exponent}, an amount having
   * at most {@code decimals} decimals (the minor units ending in zeros beyond them).
   */
  private record Unit(int exponent, int decimals) {}

  /** The currencies whose amounts Stripe writes otherwise than ISO 4217 (Java) says. */
  private static final Map<String, Unit> EXCEPTIONS =
      Map.of(
          // zero-decimal currencies Stripe keeps two decimals for, always 00: 5 ISK is 500
          "ISK", new Unit(2, 0),
          "UGX", new Unit(2, 0),
          // ISO 4217 gives the ariary 2 decimals; Stripe takes it whole
          "MGA", new Unit(0, 0),
          // three-decimal currencies: Stripe's last digit is 0, so an amount has at most two
          "BHD", new Unit(3, 2),
          "JOD", new Unit(3, 2),
          "KWD", new Unit(3, 2),
          "OMR", new Unit(3, 2),
          "TND", new Unit(3, 2));

  /** The most minor units Stripe charges at once: eight digits (999,999.99 USD). */
  static final long MOST_MINOR_UNITS = 99_999_999L;

  private StripeAmounts() {}

  /** The largest amount Stripe charges at once in the currency: 999,999.99 USD, 99,999,999 VND. */
  public static BigDecimal largestCharge(Currency currency) {
    return fromMinorUnits(MOST_MINOR_UNITS, currency);
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
    Unit unit = unit(currency);
    if (amount.stripTrailingZeros().scale() > unit.decimals()) {
      throw new ArithmeticException(
          "%s cannot be charged through Stripe, which takes %s amounts to %d decimals"
              .formatted(
                  MoneyText.of(amount, currency), currency.getCurrencyCode(), unit.decimals()));
    }
    return amount.movePointRight(unit.exponent()).longValueExact();
  }

  /**
   * An amount Stripe gives in its minor unit of the currency, at the currency's scale (500 ISK
   * from Stripe is {@code 5}); one finer than the currency (never sent by Stripe) is kept exact.
   */
  public static BigDecimal fromMinorUnits(long minorUnits, Currency currency) {
    BigDecimal amount = BigDecimal.valueOf(minorUnits, unit(currency).exponent());
    int digits = Money.minorDigits(currency);
    return amount.stripTrailingZeros().scale() <= digits
        ? amount.setScale(digits, RoundingMode.UNNECESSARY)
        : amount;
  }

  /**
   * Whether Stripe takes every amount the plugin may invoice in the currency: as many decimals
   * as the currency has (USD, VND, ISK yes; BHD, whose 1.005 Stripe refuses, and MGA, which
   * Stripe takes whole, no).
   */
  public static boolean chargesEveryAmount(Currency currency) {
    return decimals(currency) >= Money.minorDigits(currency);
  }

  /** The most decimals of an amount Stripe takes in the currency: 2 for USD, 2 for BHD. */
  public static int decimals(Currency currency) {
    return unit(currency).decimals();
  }

  private static Unit unit(Currency currency) {
    int iso = Money.minorDigits(currency);
    return EXCEPTIONS.getOrDefault(currency.getCurrencyCode(), new Unit(iso, iso));
  }
}
