package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * A half-open query range {@code [from, to)} from the {@code from} and {@code to} parameters:
 * an ISO date ({@code 2026-03-01}, midnight in the billing zone) or an ISO instant with offset.
 * Each defaults to its end of the current calendar month in the billing zone.
 */
record TimeRange(Instant from, Instant to) {

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
    return value == null ? fallback.atStartOfDay(zone).toInstant() : instant(value, name, zone);
  }

  /**
   * An ISO date (midnight in {@code zone}) or an ISO instant with offset; 400 naming
   * {@code field} otherwise.
   */
  static Instant instant(String value, String field, ZoneId zone) throws ApiException {
    try {
      return value.contains("T")
          ? OffsetDateTime.parse(value).toInstant()
          : LocalDate.parse(value).atStartOfDay(zone).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter(field,
          field + " must be an ISO date (2026-03-01) or instant (2026-03-01T00:00:00Z)");
    }
  }
}
