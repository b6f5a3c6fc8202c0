package io.streamspace.billing.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Forecast} by figures worked by hand: March 2026 in UTC (invoice day 1), the forecast
 * made on Wednesday 25 March at noon, 6.5 days before the period ends on 1 April; the history
 * the 28 days from 25 February to 24 March.
 */
class ForecastTest {

  private static final Instant NOON_25_MARCH = Instant.parse("2026-03-25T12:00:00Z");
  private static final Instant PERIOD_END = Instant.parse("2026-04-01T00:00:00Z");
  private static final LocalDate FIRST_DAY = LocalDate.of(2026, 2, 25);

  @Test
  void aFlatHistoryClosesTheRangeOnTheSpendPlusItsDailyCostForTheTimeLeft() {
    // 240.00 spent; 6.5 days left at 10.00 a day: 65.00 more
    Forecast forecast = forecast("240.00", history(day -> "10.00"), NOON_25_MARCH, 1);

    assertEquals("305.00", shown(forecast.p10()));
    assertEquals("305.00", shown(forecast.p50()));
    assertEquals("305.00", shown(forecast.p90()));
    assertEquals("10.00", shown(forecast.profile().get(DayOfWeek.SATURDAY)));
  }

  @Test
  void aWeekdayHeavyProfileAddsOnlyTheWeekdaysLeft() {
    // 20.00 Monday to Friday, nothing at the weekend; from Wednesday 25 00:00 the days left are
    // Wed 25, Thu 26, Fri 27, Mon 30, Tue 31 (Sat 28 and Sun 29 cost nothing): 5 × 20.00
    Forecast forecast =
        forecast(
            "300.00",
            history(day -> day.getDayOfWeek().getValue() <= 5 ? "20.00" : "0"),
            Instant.parse("2026-03-25T00:00:00Z"),
            1);

    assertEquals("400.00", shown(forecast.p10()));
    assertEquals("400.00", shown(forecast.p50()));
    assertEquals("400.00", shown(forecast.p90()));
    assertEquals("20.00", shown(forecast.profile().get(DayOfWeek.MONDAY)));
    assertEquals("0.00", shown(forecast.profile().get(DayOfWeek.SUNDAY)));
  }

  @Test
  void theP50PathCrossesABudgetWhereItsDaysAddUpToIt() {
    Forecast forecast = forecast("240.00", history(day -> "10.00"), NOON_25_MARCH, 1);

    // 275.00 is 35.00 away: Wed afternoon 5.00, Thu 10.00, Fri 10.00, Sat 10.00: at Sat's end
    assertEquals(
        Optional.of(Instant.parse("2026-03-29T00:00:00Z")),
        forecast.crossing(new BigDecimal("275.00")));
    // 241.25 is 1.25 away: an eighth of a day of 10.00 (3 hours) into the afternoon
    assertEquals(
        Optional.of(Instant.parse("2026-03-25T15:00:00Z")),
        forecast.crossing(new BigDecimal("241.25")));
    assertEquals(
        Optional.of(NOON_25_MARCH),
        forecast.crossing(new BigDecimal("240.00")),
        "already reached: crossed now");
    assertEquals(
        Optional.empty(),
        forecast.crossing(new BigDecimal("305.01")),
        "above the p50 at the period's end: not crossed in this period");
  }

  @Test
  void aDayWhoseClockChangesCountsAsOneDayOfItsWeekday() {
    // Paris: Sunday 29 March 2026 has 23 hours; from Saturday 28 00:00 to 1 April, 4 days
    ZoneId paris = ZoneId.of("Europe/Paris");
    Forecast forecast =
        Forecast.of(
            BigDecimal.ZERO,
            history(day -> "10.00"),
            LocalDate.of(2026, 3, 28).atStartOfDay(paris).toInstant(),
            LocalDate.of(2026, 4, 1).atStartOfDay(paris).toInstant(),
            paris,
            1);

    assertEquals("40.00", shown(forecast.p50()));
  }

  @Test
  void anEmptyHistoryAddsNothing() {
    Forecast forecast = forecast("12.34", new TreeMap<>(), NOON_25_MARCH, 1);

    assertEquals("12.34", shown(forecast.p10()));
    assertEquals("12.34", shown(forecast.p90()));
    assertEquals(Optional.empty(), forecast.crossing(new BigDecimal("12.35")));
  }

  @Test
  void aSpreadHistoryOpensTheRangeAroundItsMedian_theSameSeedGivesTheSameRange() {
    // alternate weeks of 5.00 and 15.00 a day: a mean of 10.00, the median near 65.00 more
    SortedMap<LocalDate, BigDecimal> spread =
        history(day -> (day.toEpochDay() / 7) % 2 == 0 ? "5.00" : "15.00");

    Forecast forecast = forecast("240.00", spread, NOON_25_MARCH, 7);
    Forecast again = forecast("240.00", spread, NOON_25_MARCH, 7);
    Forecast otherSeed = forecast("240.00", spread, NOON_25_MARCH, 8);

    assertTrue(forecast.p10().compareTo(forecast.p50()) < 0, shown(forecast.p10()));
    assertTrue(forecast.p50().compareTo(forecast.p90()) < 0, shown(forecast.p90()));
    BigDecimal median = forecast.p50().subtract(new BigDecimal("240.00"));
    assertTrue(
        median.subtract(new BigDecimal("65")).abs().compareTo(new BigDecimal("5")) < 0,
        "median added " + median);
    assertEquals(
        shown(forecast.p10()) + " " + shown(forecast.p90()),
        shown(again.p10()) + " " + shown(again.p90()));
    assertNotEquals(shown(forecast.p90()), shown(otherSeed.p90()));
  }

  private static Forecast forecast(
      String soFar, SortedMap<LocalDate, BigDecimal> history, Instant from, long seed) {
    return Forecast.of(new BigDecimal(soFar), history, from, PERIOD_END, ZoneOffset.UTC, seed);
  }

  /** The 28 days from 25 February 2026, each costing what {@code cost} says. */
  private static SortedMap<LocalDate, BigDecimal> history(Function<LocalDate, String> cost) {
    SortedMap<LocalDate, BigDecimal> history = new TreeMap<>();
    for (int d = 0; d < Forecast.HISTORY_DAYS; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      history.put(day, new BigDecimal(cost.apply(day)));
    }
    return history;
  }

  private static String shown(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
