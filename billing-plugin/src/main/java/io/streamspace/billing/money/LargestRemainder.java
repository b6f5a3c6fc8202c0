package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits an amount already rounded by {@link Money#lineTotal} among the parts whose exact shares
 * it is the rounded sum of, so that the parts add up to it exactly, to the minor unit. Pure.
 *
 * <p><b>The rule (largest remainder).</b> Part {@code k}'s exact share is {@code numerator(k) /
 * divisor}. Each part first gets its share rounded down to the currency's minor unit; the minor
 * units the total has left over are then given one each to the parts with the largest
 * remainders ({@code numerator(k) − floor × divisor}: the same divisor for all, so remainders
 * compare without a division), ties to the smaller key. A part thus never differs from its exact
 * share by a whole minor unit or more, and the parts always add up to the total.
 *
 * <p>The total being {@code round(Σ numerator / divisor)} half up, what is left over is at least
 * none and at most one minor unit per part, so one each is always enough.
 */
public final class LargestRemainder {

  private LargestRemainder() {}

  /**
   * @param total      the rounded total: {@link Money#lineTotal} of {@code Σ numerators} and
   *                   {@code divisor}
   * @param numerators each part's exact share times {@code divisor}, none negative
   * @param divisor    what every numerator is divided by (a unit's unit-seconds)
   * @return each part's amount at the currency's scale, by key; they add up to {@code total}
   * @throws IllegalArgumentException when {@code total} is not such a rounded total
   */
  public static <K extends Comparable<K>> Map<K, BigDecimal> split(
      BigDecimal total, Map<K, BigDecimal> numerators, BigDecimal divisor, Currency currency) {
    return split(total, numerators, divisor, Money.minorDigits(currency));
  }

  /**
   * The same rule with {@code digits} decimals for the unit instead of a currency's minor unit:
   * a quantity (an hour's overage unit-seconds) shared out before it is priced.
   *
   * @param total a sum of the shares having at most {@code digits} decimals, or their rounded sum
   */
  public static <K extends Comparable<K>> Map<K, BigDecimal> split(
      BigDecimal total, Map<K, BigDecimal> numerators, BigDecimal divisor, int digits) {
    BigDecimal minorUnit = BigDecimal.ONE.movePointLeft(digits);
    Map<K, BigDecimal> parts = new TreeMap<>();
    Map<K, BigDecimal> remainders = new TreeMap<>();
    BigDecimal allotted = BigDecimal.ZERO;
    for (Map.Entry<K, BigDecimal> share : numerators.entrySet()) {
      BigDecimal floor = share.getValue().divide(divisor, digits, RoundingMode.FLOOR);
      parts.put(share.getKey(), floor);
      remainders.put(share.getKey(), share.getValue().subtract(floor.multiply(divisor)));
      allotted = allotted.add(floor);
    }
    int left = total.subtract(allotted).movePointRight(digits).intValueExact();
    if (left < 0 || left > parts.size()) {
      throw new IllegalArgumentException(
          "%s is not the rounded sum of the shares (their floors add up to %s)"
              .formatted(total.toPlainString(), allotted.toPlainString()));
    }
    List<K> byRemainder = new ArrayList<>(remainders.keySet()); // keys ascending
    byRemainder.sort(Comparator.comparing(remainders::get, Comparator.reverseOrder()));
    for (K key : byRemainder.subList(0, left)) {
      parts.merge(key, minorUnit, BigDecimal::add);
    }
    return parts;
  }
}
