package io.streamspace.billing.money;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

/**
 * Amounts in sentences as the pages write them. Each expected text is what {@code new
 * Intl.NumberFormat('en-US', {style: 'currency', currency}).format(...)} writes (checked in
 * Node 20 when this was written), with the JDK's minor unit of the currency.
 */
class MoneyTextTest {

  private static final String NBSP = "\u00a0";

  private static String text(String amount, String currency) {
    return MoneyText.of(new BigDecimal(amount), Currency.getInstance(currency));
  }

  @Test
  void theCurrenciesWithASignOfTheirOwnWriteItBeforeTheDigits_atTheirMinorUnit() {
    assertEquals("$4.99", text("4.99", "USD"));
    assertEquals("€4.99", text("4.99", "EUR"));
    assertEquals("£4.99", text("4.99", "GBP"));
    assertEquals("¥3,518", text("3518", "JPY"));
    assertEquals("₫3,518", text("3518", "VND"));
    assertEquals("CA$4.99", text("4.99", "CAD"));
    assertEquals("CN¥4.99", text("4.99", "CNY"));
  }

  @Test
  void digitsAreGroupedByThree_andAnAmountIsShownAtLeastToTheCurrencysMinorUnit() {
    assertEquals("$1,234,567.80", text("1234567.8", "USD"));
    assertEquals("$5.00", text("5", "USD"));
    assertEquals("$999.00", text("999", "USD"));
    assertEquals("$1,000.00", text("1000", "USD"));
    assertEquals("₫250,000", text("250000", "VND"));
    assertEquals("₫3,500", text("3.5E+3", "VND"));
    assertEquals("₫0", text("0", "VND"));
    assertEquals("$0.00", text("0", "USD"));
    assertEquals("KWD" + NBSP + "1.500", text("1.5", "KWD"));
  }

  @Test
  void aSymbolEndingInALetterIsKeptFromTheDigitsByANoBreakSpace_asIntlWritesIt() {
    assertEquals("CHF" + NBSP + "4.99", text("4.99", "CHF"));
    assertEquals("SEK" + NBSP + "1,250.00", text("1250", "SEK"));
    assertEquals("F\u202fCFA" + NBSP + "3,518", text("3518", "XOF"));
  }

  @Test
  void aNegativeAmountLeadsWithAMinus() {
    assertEquals("-$5.00", text("-5", "USD"));
    assertEquals("-₫3,518", text("-3518", "VND"));
  }

  @Test
  void decimalsBeyondTheMinorUnitAreKept_neverRoundedAway() {
    // a unit price: rounding it to $0.00 would misstate it
    assertEquals("$0.001", text("0.001", "USD"));
    assertEquals("$0.001", text("0.00100", "USD"));
    assertEquals("$1,234.5678", text("1234.5678", "USD"));
    assertEquals("ISK" + NBSP + "5.5", text("5.5", "ISK"));
    assertEquals("₫0.5", text("0.5", "VND"));
  }
}
