package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** How much one calculate-usage run rates, with the figures worked out by hand. */
class RatingBoundTest {

  /** 100 hours per run, 31 days (744 hours) per subject. */
  private final RatingBound hundredHours = new RatingBound(100, 744);

  private static BigDecimal seconds(long seconds) {
    return BigDecimal.valueOf(seconds);
  }

  @Test
  void aSubjectNeverRatesMoreThanTheWholeRun() {
    assertEquals(100, hundredHours.hoursPerSubject());
    assertEquals(744, new RatingBound(1_000_000, 744).hoursPerSubject());
  }

  @Test
  void theRunsBoundIsMeasuredInSecondsAsTheWorkIs() {
    // 100 hours × 3,600 s
    assertEquals(seconds(360_000), hundredHours.runSeconds());
  }

  @Test
  void workUpToTheBoundFitsAndOneSecondMoreDoesNot() {
    assertTrue(hundredHours.fits(seconds(360_000)));
    assertTrue(hundredHours.fits(BigDecimal.ZERO));
    assertFalse(hundredHours.fits(seconds(360_001)));
  }

  @Test
  void eachSubjectRatesTheLevelInWholeHoursRoundedDown() {
    // subjects with 10, 50 and 200 hours of work against 100 hours: 10 + 50 + L = 100 at
    // L = 40 hours = 144,000 s
    assertEquals(40, hundredHours.hoursAtLevel(seconds(144_000)));
    // 2.5 hours = 9,000 s: 2 whole hours
    assertEquals(2, hundredHours.hoursAtLevel(seconds(9_000)));
    assertEquals(2, hundredHours.hoursAtLevel(new BigDecimal("10799.999")));
  }

  @Test
  void aLevelUnderAnHourStillRatesOneSoEveryRunMoves() {
    // 1,000 subjects each 5 hours behind against 100 hours: L = 0.1 hour = 360 s
    assertEquals(1, hundredHours.hoursAtLevel(seconds(360)));
    assertEquals(1, hundredHours.hoursAtLevel(BigDecimal.ZERO));
  }

  @Test
  void aLevelAboveTheSubjectsBoundRatesTheSubjectsBound() {
    RatingBound weeksBehind = new RatingBound(1_000_000, 744);

    // 10,000,000 s = 2,777.7 hours, more than 31 days of one subject
    assertEquals(744, weeksBehind.hoursAtLevel(seconds(10_000_000)));
  }

  @Test
  void aBoundUnderAnHourIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RatingBound(0, 744));
    assertThrows(IllegalArgumentException.class, () -> new RatingBound(100, 0));
  }
}
