package io.streamspace.billing.rating;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeSet;

/**
 * The cut points ({@link SliceCuts}) one calculate-usage run can cut at: from the UTC hour of the
 * earliest unrated instant to the first UTC hour past the cap. RATE finds each subject's cells
 * in {@code all} by binary search ({@code width_bucket}), with no join. Pure.
 *
 * @param all            every cut, sorted: the UTC hours and the midnights after the earliest
 *                       instant up to the cap
 * @param lastAtOrBefore the last cut at or before the cap: a subject already rated up to it has
 *                       nothing to rate but its end, if that is settled
 */
record RunCuts(List<Instant> all, Instant lastAtOrBefore) {

  RunCuts {
    all = List.copyOf(all);
  }

  /**
   * The last cut at or before {@code cap}, as {@link #lastAtOrBefore} of any run up to it (a
   * midnight that such a run's cuts leave out, being at or before its earliest instant, is
   * before every subject it rates, so the two tell the same subjects apart).
   */
  static Instant lastCut(SliceCuts cuts, Instant cap) {
    return of(cuts, cap.minus(2, ChronoUnit.DAYS), cap).lastAtOrBefore();
  }

  /** The cuts of a run rating from {@code earliest} up to {@code cap} in {@code cuts}' zone. */
  static RunCuts of(SliceCuts cuts, Instant earliest, Instant cap) {
    List<Instant> midnights = cuts.midnightsBetween(earliest, cap);
    TreeSet<Instant> all = new TreeSet<>(midnights);
    Instant capHour = cap.truncatedTo(ChronoUnit.HOURS);
    for (Instant hour = earliest.truncatedTo(ChronoUnit.HOURS);
        !hour.isAfter(capHour);
        hour = hour.plus(SliceCuts.LONGEST_SLICE)) {
      all.add(hour);
    }
    all.add(capHour.plus(SliceCuts.LONGEST_SLICE));
    Instant lastMidnight = midnights.isEmpty() ? capHour : midnights.get(midnights.size() - 1);
    return new RunCuts(List.copyOf(all), lastMidnight.isAfter(capHour) ? lastMidnight : capHour);
  }
}
