package io.streamspace.billing.rating;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Where calculate-usage cuts usage into slices: at every whole UTC hour and at every midnight in
 * the billing zone. Every billing-period start is such a midnight, so each side of an invoice
 * day bills to its own period; and a date in the billing zone (midnight, which in a zone such as
 * Asia/Kolkata, +05:30, is not on a UTC hour) always falls between slices, so usage between any
 * two cuts is a sum of whole records, exactly.
 */
public record SliceCuts(ZoneId zone) {

  /** No slice is longer: every UTC hour is a cut. */
  public static final Duration LONGEST_SLICE = Duration.ofHours(1);

  /** Whether no slice can span {@code instant}: a whole UTC hour or a midnight in the zone. */
  public boolean isCut(Instant instant) {
    return isWholeUtcHour(instant)
        || instant.equals(midnightOf(instant.atZone(zone).toLocalDate()));
  }

  /**
   * Whether {@code instant} is a whole UTC hour: a cut in every zone, so no slice spans it
   * whichever zone its usage was rated in (a midnight elsewhere may fall inside a slice rated
   * before the billing zone changed).
   */
  public static boolean isWholeUtcHour(Instant instant) {
    return instant.getEpochSecond() % LONGEST_SLICE.toSeconds() == 0 && instant.getNano() == 0;
  }

  /**
   * Every midnight {@code m} in the zone with {@code from < m <= to}, in order: the cuts that are
   * not (always) whole UTC hours.
   */
  public List<Instant> midnightsBetween(Instant from, Instant to) {
    List<Instant> midnights = new ArrayList<>();
    for (LocalDate day = from.atZone(zone).toLocalDate().plusDays(1);
        !midnightOf(day).isAfter(to);
        day = day.plusDays(1)) {
      midnights.add(midnightOf(day));
    }
    return midnights;
  }

  /**
   * The {@code count} days up to {@code last} as ranges cut here: the midnight each starts at,
   * oldest first, then the one {@code last} ends at ({@code count + 1} instants).
   */
  public List<Instant> daysUpTo(LocalDate last, int count) {
    List<Instant> bounds = new ArrayList<>();
    for (int back = count - 1; back >= -1; back--) {
      bounds.add(midnightOf(last.minusDays(back)));
    }
    return bounds;
  }

  // the start of the day: 00:00, or the first instant after it when DST skips midnight
  private Instant midnightOf(LocalDate day) {
    return day.atStartOfDay(zone).toInstant();
  }
}
