package io.streamspace.billing.live;

import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A running session's rated usage in a billing period, read up to its watermark then, per
 * resource and unit price: carried from one read of live cost to the next, so that only the
 * records rated in between are read ({@link LiveBasisReads}). A session's records come only with
 * its watermark, which only moves on (but for a reset by hand, read again whole).
 *
 * @param periodStart the period it is of
 * @param ratedUntil the watermark it was read up to
 * @param usage the sums, each as a bucket of exact unit-seconds at one unit price (its span is
 *     of no account)
 */
record RatedSoFar(Instant periodStart, Instant ratedUntil, List<UsageBucket> usage) {

  RatedSoFar {
    usage = List.copyOf(usage);
  }

  /** Nothing read yet of the period that starts at {@code periodStart}. */
  static RatedSoFar none(Instant periodStart) {
    return new RatedSoFar(periodStart, periodStart, List.of());
  }

  /** Whether it is of that period, read up to no later than {@code watermark}. */
  boolean carriesTo(Instant periodStart, Instant watermark) {
    return this.periodStart.equals(periodStart) && !ratedUntil.isAfter(watermark);
  }

  /** The same sums, read up to {@code watermark} (the records in between are added next). */
  RatedSoFar upTo(Instant watermark) {
    return new RatedSoFar(periodStart, watermark, usage);
  }

  /** With {@code unitSeconds} more of {@code unit} at {@code unitPrice}. */
  RatedSoFar plus(UsageUnit unit, BigDecimal unitPrice, BigDecimal unitSeconds) {
    List<UsageBucket> sums = new ArrayList<>();
    boolean added = false;
    for (UsageBucket sum : usage) {
      if (!added && sum.unit().equals(unit) && sum.unitPrice().compareTo(unitPrice) == 0) {
        sums.add(
            new UsageBucket(
                unit, sum.start(), sum.end(), sum.unitSeconds().add(unitSeconds), sum.unitPrice()));
        added = true;
      } else {
        sums.add(sum);
      }
    }
    if (!added) {
      sums.add(new UsageBucket(unit, periodStart, periodStart, unitSeconds, unitPrice));
    }
    return new RatedSoFar(periodStart, ratedUntil, sums);
  }
}
