package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

/** The reporting rules on exact sums: one division and one rounding per line. */
class UsageSumTest {

  private static final Currency USD = Currency.getInstance("USD");

  @Test
  void unitsAreHoursOrMonthsOf730HoursInUnitSeconds() {
    assertEquals(new BigDecimal("3600"), UsageUnit.CPU.unitSecondsPerUnit());
    assertEquals(new BigDecimal("3600"), UsageUnit.MEMORY.unitSecondsPerUnit());
    assertEquals(new BigDecimal("2628000"), UsageUnit.STORAGE.unitSecondsPerUnit());
  }

  @Test
  void quantitiesRoundHalfUpAtTheSixthPlaceWithoutTrailingZeros() {
    // 1.7982 core-seconds = 0.0004995 core-hours: half up to 0.0005; 1.7978 = 0.00049938…
    assertEquals("0.0005", UsageUnit.CPU.quantity(new BigDecimal("1.7982")).toPlainString());
    assertEquals("0.000499", UsageUnit.CPU.quantity(new BigDecimal("1.7978")).toPlainString());
    assertEquals("20", UsageUnit.CPU.quantity(new BigDecimal("72000.000000")).toPlainString());
  }

  @Test
  void aLineTotalIsTheExactPricedSumDividedAndRoundedOnce() {
    // 16,200 core-seconds at 0.05 = 810 / 3,600 = 0.225 exactly: half up to 0.23
    UsageLine line =
        new UsageSum(
                UsageUnit.CPU,
                new BigDecimal("0.050"),
                new BigDecimal("16200"),
                new BigDecimal("810.000"))
            .line(USD);

    assertEquals(
        new UsageLine(
            "cpu",
            new BigDecimal("4.5"),
            "core-hours",
            new BigDecimal("0.05"),
            new BigDecimal("0.23")),
        line);
  }

  @Test
  void justBelowHalfACentRoundsDown() {
    // 809.999999 / 3,600 = 0.22499999972…: one rounding, so no 0.225 in between to round up
    assertEquals(
        new BigDecimal("0.22"),
        Money.lineTotal(new BigDecimal("809.999999"), UsageUnit.CPU.unitSecondsPerUnit(), USD));
  }
}
