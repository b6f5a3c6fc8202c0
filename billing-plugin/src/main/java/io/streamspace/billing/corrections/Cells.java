package io.streamspace.billing.corrections;

import io.streamspace.billing.rating.SliceCuts;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * The slices calculate-usage cuts time into ({@link SliceCuts}: every UTC hour and every midnight
 * in the billing zone), seen from one instant: the cut at or before it and the one at or after it.
 * A correction re-rates whole slices, so that what it rates again has the keys of what was rated.
 */
record Cells(ZoneId zone) {

  /** The last cut at or before {@code t}. */
  Instant floor(Instant t) {
    Instant hour = t.truncatedTo(ChronoUnit.HOURS);
    Instant midnight = t.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
    return midnight.isAfter(hour) && !midnight.isAfter(t) ? midnight : hour;
  }

  /** The first cut at or after {@code t}. */
  Instant ceiling(Instant t) {
    Instant floor = floor(t);
    if (floor.equals(t)) {
      return t;
    }
    Instant hour = t.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    Instant midnight = t.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
    return midnight.isBefore(hour) ? midnight : hour;
  }
}
