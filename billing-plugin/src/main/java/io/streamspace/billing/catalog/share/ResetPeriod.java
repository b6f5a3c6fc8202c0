package io.streamspace.billing.catalog.share;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a creator's counters (the store's {@code CreatorPeriodTotals}: gross for the tiers, the
 * platform's take for the cap) start again from zero. Periods are calendar ones in the store's
 * zone (the billing zone): a sale at 23:30 on 31 December in Hanoi belongs to that year there,
 * whatever UTC says.
 */
public enum ResetPeriod {
  /** Each 1 January at midnight in the zone (Shopify's theme store). */
  CALENDAR_YEAR,
  /** Each first of the month at midnight in the zone. */
  CALENDAR_MONTH,
  /** Never: one period for all time. */
  NEVER;

  /** The key of the period holding {@code at}: {@code "2026"}, {@code "2026-11"}, {@code "all"}. */
  public String periodKey(Instant at, ZoneId zone) {
    ZonedDateTime local = at.atZone(zone);
    return switch (this) {
      case CALENDAR_YEAR -> String.valueOf(local.getYear());
      case CALENDAR_MONTH -> "%04d-%02d".formatted(local.getYear(), local.getMonthValue());
      case NEVER -> "all";
    };
  }

  /**
   * The start (inclusive) of the period holding {@code at}. {@link #NEVER}'s period starts at
   * {@link Instant#EPOCH}, before any sale (an instant a {@code timestamptz} can hold).
   */
  public Instant periodStart(Instant at, ZoneId zone) {
    LocalDate day = at.atZone(zone).toLocalDate();
    return switch (this) {
      case CALENDAR_YEAR -> day.withDayOfYear(1).atStartOfDay(zone).toInstant();
      case CALENDAR_MONTH -> day.withDayOfMonth(1).atStartOfDay(zone).toInstant();
      case NEVER -> Instant.EPOCH;
    };
  }
}
