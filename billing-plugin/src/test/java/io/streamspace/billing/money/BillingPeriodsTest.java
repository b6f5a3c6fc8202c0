package io.streamspace.billing.money;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingPeriodsTest {

  @Test
  void periodsStartAtMidnightOfTheInvoiceDayInTheZone() {
    BillingPeriods periods = new BillingPeriods(15, ZoneId.of("America/New_York"));

    assertEquals(
        Instant.parse("2026-03-15T04:00:00Z"),
        periods.periodStart(Instant.parse("2026-03-20T00:00:00Z")),
        "EDT, after the DST switch");
    assertEquals(
        Instant.parse("2026-02-15T05:00:00Z"),
        periods.periodStart(Instant.parse("2026-03-15T03:59:59Z")),
        "EST, a second before");
  }

  /** The last 3 periods at 2026-04-20 in New York, day 15: EST starts, then EDT ones. */
  @Test
  void theLastPeriodsAreTheirStartsOldestFirstThenTheCurrentOnesEnd() {
    BillingPeriods periods = new BillingPeriods(15, ZoneId.of("America/New_York"));

    assertEquals(
        List.of(
            Instant.parse("2026-02-15T05:00:00Z"),
            Instant.parse("2026-03-15T04:00:00Z"),
            Instant.parse("2026-04-15T04:00:00Z"),
            Instant.parse("2026-05-15T04:00:00Z")),
        periods.lastPeriods(Instant.parse("2026-04-20T00:00:00Z"), 3));
  }

  @Test
  void boundariesAcrossAYearEndAndALeapFebruary() {
    BillingPeriods periods = new BillingPeriods(28, ZoneId.of("UTC"));

    assertEquals(
        List.of(
            Instant.parse("2027-12-28T00:00:00Z"),
            Instant.parse("2028-01-28T00:00:00Z"),
            Instant.parse("2028-02-28T00:00:00Z")),
        periods.boundariesBetween(
            Instant.parse("2027-12-01T00:00:00Z"), Instant.parse("2028-02-28T00:00:00Z")));
  }

  @Test
  void aBoundaryAtTheStartOfTheRangeIsNotIncluded() {
    BillingPeriods periods = new BillingPeriods(1, ZoneId.of("UTC"));

    assertEquals(
        List.of(Instant.parse("2026-04-01T00:00:00Z")),
        periods.boundariesBetween(
            Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z")));
    assertEquals(
        List.of(),
        periods.boundariesBetween(
            Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-31T23:00:00Z")));
  }
}
