package io.streamspace.billing.money;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Billing periods: each starts at midnight of the invoice day in the billing time zone and
 * lasts until the next one (so a period is a calendar month long, whatever DST does to its
 * hours). Usage is cut at these instants so that each side of a boundary bills to its own period.
 *
 * @param invoiceDay 1 to 28, so that every month has that day
 */
public record BillingPeriods(int invoiceDay, ZoneId zone) {

  public BillingPeriods {
    if (invoiceDay < 1 || invoiceDay > 28) {
      throw new IllegalArgumentException("invoiceDay must be 1-28");
    }
  }

  /** The start of the period that holds {@code instant}. */
  public Instant periodStart(Instant instant) {
    LocalDate day = instant.atZone(zone).toLocalDate().withDayOfMonth(invoiceDay);
    Instant start = day.atStartOfDay(zone).toInstant();
    return start.isAfter(instant) ? day.minusMonths(1).atStartOfDay(zone).toInstant() : start;
  }

  /** The end (exclusive) of the period that holds {@code instant}: the next period's start. */
  public Instant periodEnd(Instant instant) {
    return next(periodStart(instant).atZone(zone).toLocalDate());
  }

  /** Every period start {@code b} with {@code from < b <= to}, in order. */
  public List<Instant> boundariesBetween(Instant from, Instant to) {
    List<Instant> boundaries = new ArrayList<>();
    LocalDate day = periodStart(from).atZone(zone).toLocalDate();
    for (Instant b = next(day); !b.isAfter(to); b = next(day)) {
      boundaries.add(b);
      day = day.plusMonths(1);
    }
    return boundaries;
  }

  /**
   * The bounds of the {@code count} periods up to the one holding {@code instant}: their starts,
   * oldest first, then that period's end ({@code count + 1} instants).
   */
  public List<Instant> lastPeriods(Instant instant, int count) {
    LocalDate current = periodStart(instant).atZone(zone).toLocalDate();
    List<Instant> bounds = new ArrayList<>();
    for (int back = count - 1; back >= -1; back--) {
      bounds.add(current.minusMonths(back).atStartOfDay(zone).toInstant());
    }
    return bounds;
  }

  private Instant next(LocalDate periodStartDay) {
    return periodStartDay.plusMonths(1).atStartOfDay(zone).toInstant();
  }
}
