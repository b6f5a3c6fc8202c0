package io.streamspace.billing.http;

import io.streamspace.billing.rating.SliceCuts;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.sql.SQLException;
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

  /** Whether a record of usage starts before an instant and ends after it. */
  @FunctionalInterface
  interface SliceSpans {
    boolean at(Instant instant) throws SQLException;
  }

  /**
   * Usage is kept in slices: a range is answered exactly when its ends fall between slices, and
   * refused otherwise (400 {@code invalid_range} naming the end). Slices rated before the
   * billing zone changed are cut at the old zone's midnights, hence the check of the records
   * too.
   */
  void requireCuts(SliceCuts cuts, SliceSpans spans) throws ApiException, SQLException {
    requireCut(from, "from", cuts, spans);
    requireCut(to, "to", cuts, spans);
  }

  private static void requireCut(Instant instant, String field, SliceCuts cuts, SliceSpans spans)
      throws ApiException, SQLException {
    if (!cuts.isCut(instant)) {
      throw invalidRange(
          field,
          field
              + " must be a whole UTC hour or a midnight in the "
              + "billing zone ("
              + cuts.zone()
              + "): usage is kept in slices cut there");
    }
    // a whole UTC hour is a cut in every zone: only another midnight can fall inside a slice
    // rated before the zone changed, and only then are the records asked (every account's, for
    // a report: a read of the hour before the instant)
    if (!SliceCuts.isWholeUtcHour(instant) && spans.at(instant)) {
      throw invalidRange(
          field,
          field
              + " falls inside a slice of usage rated before the "
              + "billing zone changed: that usage is kept per UTC hour");
    }
  }

  private static ApiException invalidRange(String field, String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, "invalid_range", message, field);
  }

  private static Instant parse(HttpRequest request, String name, ZoneId zone, LocalDate fallback)
      throws ApiException {
    String value = QueryParams.of(request, name).orElse(null);
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
