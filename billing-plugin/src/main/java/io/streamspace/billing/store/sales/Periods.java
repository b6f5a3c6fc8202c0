package io.streamspace.billing.store.sales;

import io.streamspace.billing.catalog.share.ResetPeriod;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

/** Where a share table's period, and a statement's month, end in the billing zone. */
final class Periods {

  private Periods() {}

  /** The end (exclusive) of the reset period holding {@code at}; null for {@code NEVER}. */
  static Instant end(ResetPeriod reset, Instant at, ZoneId zone) {
    var start = reset.periodStart(at, zone).atZone(zone);
    return switch (reset) {
      case CALENDAR_YEAR -> start.plusYears(1).toInstant();
      case CALENDAR_MONTH -> start.plusMonths(1).toInstant();
      case NEVER -> null;
    };
  }

  /** The first instant of {@code month} in the zone. */
  static Instant start(YearMonth month, ZoneId zone) {
    return month.atDay(1).atStartOfDay(zone).toInstant();
  }
}
