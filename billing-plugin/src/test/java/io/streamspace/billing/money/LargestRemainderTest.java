package io.streamspace.billing.money;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rounded total split among its parts by largest remainder, with figures worked out by hand. */
class LargestRemainderTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  /** A core-hour's unit-seconds: every numerator below is cores × seconds × unit price. */
  private static final BigDecimal HOUR = new BigDecimal("3600");

  /** Numerators by key, from alternating key and value arguments. */
  private static Map<String, BigDecimal> shares(String... keysAndNumerators) {
    Map<String, BigDecimal> shares = new LinkedHashMap<>();
    for (int i = 0; i < keysAndNumerators.length; i += 2) {
      shares.put(keysAndNumerators[i], new BigDecimal(keysAndNumerators[i + 1]));
    }
    return shares;
  }

  /** The parts as {@code key=amount}, easy to compare with hand figures. */
  private static String shown(Map<String, BigDecimal> parts) {
    StringBuilder shown = new StringBuilder();
    parts.forEach(
        (key, amount) -> shown.append(key).append('=').append(amount.toPlainString()).append(' '));
    return shown.toString().trim();
  }

  @Test
  void sharesThatFallOnWholeCentsAreTheirOwnParts() {
    // 900 / 3600 = 0.25 and 2700 / 3600 = 0.75: nothing left over
    assertEquals(
        "a=0.25 b=0.75",
        shown(
            LargestRemainder.split(
                new BigDecimal("1.00"), shares("a", "900", "b", "2700"), HOUR, USD)));
  }

  @Test
  void theCentsLeftOverGoToTheLargestRemainders() {
    // u1 50.4 / 3600 = 0.014, u2 61.2 / 3600 = 0.017, u3 32.4 / 3600 = 0.009; the total 0.04 is
    // round(144 / 3600 = 0.04). Floors 0.01 + 0.01 + 0.00 = 0.02 leave 2 cents; the remainders
    // are 50.4 − 36 = 14.4, 61.2 − 36 = 25.2 and 32.4: u3 and u2 get one each
    assertEquals(
        "u1=0.01 u2=0.02 u3=0.01",
        shown(
            LargestRemainder.split(
                new BigDecimal("0.04"),
                shares("u1", "50.4", "u2", "61.2", "u3", "32.4"),
                HOUR,
                USD)));
  }

  @Test
  void equalRemaindersGiveTheCentsToTheSmallerKeysFirst() {
    // three members at 60 / 3600 = 0.01666…: the total is round(180 / 3600) = 0.05, floors 0.03,
    // 2 cents left, remainders all 60 − 36 = 24: the first two keys get them
    assertEquals(
        "a=0.02 b=0.02 c=0.01",
        shown(
            LargestRemainder.split(
                new BigDecimal("0.05"), shares("c", "60", "b", "60", "a", "60"), HOUR, USD)));
  }

  @Test
  void aTotalRoundedUpPastEveryShareGivesEachPartOneCentAtMost() {
    // 0.009 + 0.009 = 0.018, rounded to 0.02: both floors are 0, so each gets the one cent
    assertEquals(
        "a=0.01 b=0.01",
        shown(
            LargestRemainder.split(
                new BigDecimal("0.02"), shares("a", "32.4", "b", "32.4"), HOUR, USD)));
    // 0.006 + 0.006 = 0.012, rounded to 0.01: one cent, to the smaller key
    assertEquals(
        "a=0.01 b=0.00",
        shown(
            LargestRemainder.split(
                new BigDecimal("0.01"), shares("a", "21.6", "b", "21.6"), HOUR, USD)));
  }

  @Test
  void aCurrencyWithoutDecimalsSplitsWholeUnits() {
    // 3,601,800 / 3600 = 1000.5 VND and 7,201,800 / 3600 = 2000.5: the total 3001, floors 3000,
    // one dong left for equal remainders (1800 each): the smaller key's
    assertEquals(
        "a=1001 b=2000",
        shown(
            LargestRemainder.split(
                new BigDecimal("3001"), shares("a", "3601800", "b", "7201800"), HOUR, VND)));
  }

  @Test
  void aTotalThatIsNotTheRoundedSumOfTheSharesIsRefused() {
    // the shares add up to 0.04, so 0.10 would need six cents for three parts
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LargestRemainder.split(
                new BigDecimal("0.10"),
                shares("u1", "50.4", "u2", "61.2", "u3", "32.4"),
                HOUR,
                USD));
  }

  @Test
  void aQuantityIsSplitToTheDecimalsGiven() {
    // 1 unit-second shared 1 : 2 at 3 decimals: 0.333… and 0.666…; floors 0.333 + 0.666 leave
    // a thousandth, for the larger remainder (b's 2 − 0.666 × 3 = 0.002 against a's 0.001)
    assertEquals(
        "a=0.333 b=0.667",
        shown(LargestRemainder.split(BigDecimal.ONE, shares("a", "1", "b", "2"), THREE, 3)));
  }

  private static final BigDecimal THREE = new BigDecimal("3");
}
