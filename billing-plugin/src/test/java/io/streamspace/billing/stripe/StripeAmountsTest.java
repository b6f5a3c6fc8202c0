package io.streamspace.billing.stripe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Amounts as Stripe takes them: whole minor units of the currency as Stripe counts them. */
class StripeAmountsTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  private static long toStripe(String amount, String currency) {
    return StripeAmounts.toMinorUnits(new BigDecimal(amount), Currency.getInstance(currency));
  }

  private static BigDecimal fromStripe(long minorUnits, String currency) {
    return StripeAmounts.fromMinorUnits(minorUnits, Currency.getInstance(currency));
  }

  private static String refusal(String amount, String currency) {
    return assertThrows(ArithmeticException.class, () -> toStripe(amount, currency)).getMessage();
  }

  @Test
  void dollarsBecomeCentsAndDongStayWhole() {
    assertEquals(500L, StripeAmounts.toMinorUnits(new BigDecimal("5.00"), USD));
    assertEquals(2999L, StripeAmounts.toMinorUnits(new BigDecimal("29.99"), USD));
    assertEquals(500L, StripeAmounts.toMinorUnits(new BigDecimal("5"), USD));
    assertEquals(125000L, StripeAmounts.toMinorUnits(new BigDecimal("125000"), VND));
    assertEquals(new BigDecimal("29.99"), fromStripe(2999, "USD"));
    assertEquals(new BigDecimal("125000"), fromStripe(125000, "VND"));
  }

  @Test
  void aFractionOfAMinorUnitIsRefusedNotRounded() {
    assertThrows(
        ArithmeticException.class, () -> StripeAmounts.toMinorUnits(new BigDecimal("0.001"), USD));
    assertThrows(
        ArithmeticException.class, () -> StripeAmounts.toMinorUnits(new BigDecimal("1.5"), VND));
  }

  @Test
  void kronurAndShillingsAreWholeButStripeWritesThemWithTwoZeroDecimals() {
    assertEquals(500L, toStripe("5", "ISK"));
    assertEquals(123400L, toStripe("1234", "UGX"));
    assertEquals(new BigDecimal("5"), fromStripe(500, "ISK"));
    assertEquals(new BigDecimal("1234"), fromStripe(123400, "UGX"));
    assertEquals(
        "ISK\u00a05.5 cannot be charged through Stripe, which takes ISK amounts to 0 decimals",
        refusal("5.5", "ISK"));
    refusal("0.01", "UGX");
  }

  @Test
  void threeDecimalCurrenciesEndInZeroAtStripe_aThousandthIsRefused() {
    for (String dinar : new String[] {"BHD", "JOD", "KWD", "OMR", "TND"}) {
      assertEquals(1230L, toStripe("1.23", dinar));
      assertEquals(1230L, toStripe("1.230", dinar));
      assertEquals(new BigDecimal("1.230"), fromStripe(1230, dinar));
      assertEquals(
          dinar
              + "\u00a01.235 cannot be charged through Stripe, which takes "
              + dinar
              + " amounts to 2 decimals",
          refusal("1.235", dinar));
    }
  }

  @Test
  void theAriaryIsWholeAtStripeThoughIsoGivesItTwoDecimals() {
    assertEquals(5000L, toStripe("5000", "MGA"));
    assertEquals(new BigDecimal("5000.00"), fromStripe(5000, "MGA"));
    refusal("5000.50", "MGA");
  }

  @Test
  void stripeChargesEveryAmountOfACurrencyUnlessItTakesFewerDecimalsThanIsoGives() {
    for (String code : List.of("USD", "VND", "EUR", "JPY", "ISK", "UGX")) {
      assertTrue(StripeAmounts.chargesEveryAmount(Currency.getInstance(code)), code);
    }
    for (String code : List.of("BHD", "JOD", "KWD", "OMR", "TND", "MGA")) {
      assertFalse(StripeAmounts.chargesEveryAmount(Currency.getInstance(code)), code);
    }
  }

  @Test
  void stripesZeroDecimalCurrenciesAreWholeInTheJdkToo_butTheAriaryWhichIsoGivesTwoDecimals() {
    // Stripe's zero-decimal list (docs.stripe.com/currencies), UGX aside: written with two zeros
    for (String code :
        List.of(
            "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "PYG", "RWF", "VND", "VUV", "XAF",
            "XOF", "XPF")) {
      Currency currency = Currency.getInstance(code);
      assertEquals(0, Money.minorDigits(currency), code);
      assertEquals(0, StripeAmounts.decimals(currency), code);
      assertEquals(500L, toStripe("500", code), code);
    }
    Currency ariary = Currency.getInstance("MGA");
    assertEquals(2, Money.minorDigits(ariary), "ISO 4217, as the JDK reads it");
    assertEquals(0, StripeAmounts.decimals(ariary), "Stripe's");
  }

  @Test
  void stripesThreeDecimalCurrenciesHaveThreeInTheJdk_ofWhichStripeTakesTwo() {
    for (String code : List.of("BHD", "JOD", "KWD", "OMR", "TND")) {
      Currency dinar = Currency.getInstance(code);
      assertEquals(3, Money.minorDigits(dinar), code);
      assertEquals(2, StripeAmounts.decimals(dinar), code);
    }
  }

  @Test
  void anAmountFinerThanItsCurrencyFromStripeIsKeptExact() {
    assertEquals(new BigDecimal("5.50"), fromStripe(550, "ISK"));
  }
}
