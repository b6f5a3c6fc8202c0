package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * A half-open query range {@code [from, to)} from the {@code from} and {@code to} parameters:
 * an ISO date ({@code 2026-03-01}, midnight in the billing zone) or an ISO instant with offset,
 * from 1900 to 9999.
 * Each defaults to its end of the current calendar month in the billing zone.
 */
record TimeRange(Instant from, Instant to) {

  // The instants a request may name. Java reads years up to ±999,999,999, which neither
  // PostgreSQL nor java.sql.Timestamp holds (a 500 where a 400 belongs); before 1900, dates of
  // the Julian calendar era and local mean times would not round-trip exactly through JDBC.
  private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  private static final Instant AFTER_LATEST = Instant.parse("+10000-01-01T00:00:00Z");

  static TimeRange of(HttpRequest request, ZoneId zone, Clock clock) throws ApiException {
    YearMonth month = YearMonth.now(clock.withZone(zone));
    Instant from = parse(request, "from", zone, month.atDay(1));
    Instant to = parse(request, "to", zone, month.plusMonths(1).atDay(1));
    if (!from.isBefore(to)) {
      throw ApiException.badParameter("from", "from must be before to");
    }
    return new TimeRange(from, to);
  }

  private static Instant parse(HttpRequest request, String name, ZoneId zone, LocalDate fallback)
      throws ApiException {
    String value = request.queryParam(name).orElse(null);
    if (value == null) {
      return fallback.atStartOfDay(zone).toInstant();
    }
    return instantOrDate(value, name, zone);
  }

  /**
   * An ISO instant with offset, or an ISO date meaning midnight in the billing zone, from
   * {@link #EARLIEST} to before {@link #AFTER_LATEST}; 400 naming the field otherwise.
   */
  static Instant instantOrDate(String value, String field, ZoneId zone) throws ApiException {
    Instant instant;
    try {
      instant =
          value.contains("T")
              ? OffsetDateTime.parse(value).toInstant()
              : LocalDate.parse(value).atStartOfDay(zone).toInstant();
    } catch (DateTimeException e) {
      throw ApiException.badParameter(
          field, field + " must be an ISO date (2026-03-01) or instant (2026-03-01T00:00:00Z)");
    }
    if (instant.isBefore(EARLIEST) || !instant.isBefore(AFTER_LATEST)) {
      throw ApiException.badParameter(field, field + " must be from 1900-01-01 to 9999-12-31");
    }
    return instant;
  }
}
