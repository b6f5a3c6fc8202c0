package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Currency;
import java.util.Locale;

/**
 * An amount written for people, in a sentence (a refusal's {@code message}, a hold's reason), as
 * the billing pages write it: {@code $4.99}, {@code €4.99}, {@code £4.99}, {@code ¥3,518},
 * {@code ₫3,518}, and {@code CHF 4.99} for a currency whose symbol is its code. The pages format
 * money with {@code Intl.NumberFormat('en-US', {style: 'currency', currency})} ({@code money()}
 * in {@code ui/common.js}); this is its Java twin, and the two change together:
 *
 * <ul>
 *   <li>the symbol is the currency's in {@link Locale#US}, which the JDK (CLDR) and the browser's
 *       Intl (ICU, CLDR too) agree on: {@code $}, {@code €}, {@code ₫}, {@code CA$}, {@code CHF};
 *   <li>as Intl does (CLDR's currency spacing) and {@link DecimalFormat} does not, a symbol that
 *       ends in a letter is kept from the digits by a no-break space (U+00A0): {@code CHF 4.99};
 *   <li>digits are grouped by three with commas, {@code .} before the decimals, and a negative
 *       amount reads {@code -$4.99};
 *   <li>the decimals are the currency's minor unit ({@link Money#minorDigits}: USD 2, VND 0),
 *       more only when the amount has more (a unit price, {@code $0.001} a query): this never
 *       rounds, so a sentence never says a figure other than the one the JSON carries. The pages
 *       only show amounts at the currency's scale, which both write alike.
 * </ul>
 *
 * <p>Machine-readable fields (amounts as numbers, currency codes) stay as they are: this is for
 * sentences only.
 */
public final class MoneyText {

  /** The locale of the pages' Intl.NumberFormat: its symbols and its separators. */
  private static final Locale PAGES = Locale.US;

  private static final String NO_BREAK_SPACE = "\u00a0";

  private MoneyText() {}

  /** The amount as the pages show it: {@code 3518} VND is {@code ₫3,518}. */
  public static String of(BigDecimal amount, Currency currency) {
    int decimals = Math.max(Money.minorDigits(currency), amount.stripTrailingZeros().scale());
    DecimalFormat number = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(PAGES));
    number.setMinimumFractionDigits(decimals);
    number.setMaximumFractionDigits(decimals);
    number.setRoundingMode(RoundingMode.UNNECESSARY); // as many decimals as it has: never rounds
    String symbol = currency.getSymbol(PAGES);
    return (amount.signum() < 0 ? "-" : "")
        + symbol
        + (spacedFromTheDigits(symbol) ? NO_BREAK_SPACE : "")
        + number.format(amount.abs());
  }

  /**
   * Whether CLDR's currency spacing puts a space between the symbol and the digits: when its last
   * character is neither a symbol ({@code $}, {@code ¥}, {@code ₫}) nor a space ({@code CHF}, the
   * {@code F CFA} of XOF, yes; {@code CN¥} no).
   */
  private static boolean spacedFromTheDigits(String symbol) {
    int last = symbol.codePointBefore(symbol.length());
    return switch (Character.getType(last)) {
      case Character.CURRENCY_SYMBOL,
          Character.MATH_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL ->
          false;
      default -> !Character.isSpaceChar(last);
    };
  }
}
