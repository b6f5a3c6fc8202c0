package io.streamspace.billing.money;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

/** Amounts as Stripe takes them: whole minor units of the currency, exact. */
class MinorUnitsTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  @Test
  void dollarsBecomeCentsAndDongStayWhole() {
    assertEquals(500L, Money.toMinorUnits(new BigDecimal("5.00"), USD));
    assertEquals(2999L, Money.toMinorUnits(new BigDecimal("29.99"), USD));
    assertEquals(500L, Money.toMinorUnits(new BigDecimal("5"), USD));
    assertEquals(125000L, Money.toMinorUnits(new BigDecimal("125000"), VND));
  }

  @Test
  void aFractionOfAMinorUnitIsRefusedNotRounded() {
    assertThrows(ArithmeticException.class, () -> Money.toMinorUnits(new BigDecimal("0.001"), USD));
    assertThrows(ArithmeticException.class, () -> Money.toMinorUnits(new BigDecimal("1.5"), VND));
  }
}
