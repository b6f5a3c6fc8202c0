package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * An account's usage of one resource at one unit price during one clock hour, or during the part
 * of that hour inside a billing period when a period boundary cuts it. Hybrid overage is
 * measured per bucket: the account's concurrent allocation over the bucket against what its plan
 * includes for that long.
 *
 * @param start       the bucket's start (an hour, or a period boundary inside it)
 * @param end         its end
 * @param unitSeconds Σ unit-seconds of the account's records in the bucket, exact
 * @param unitPrice   the unit price those records were rated at
 * @param activity    their activity: {@code active} unless priced at an activity factor
 * @param savedUnitSeconds Σ unit-seconds × (full price − unit price) of those records: what the
 *                    factor saved, exact (V78)
 */
public record UsageBucket(
    UsageUnit unit,
    Instant start,
    Instant end,
    BigDecimal unitSeconds,
    BigDecimal unitPrice,
    String activity,
    BigDecimal savedUnitSeconds) {

  /** Usage at the full price. */
  public UsageBucket(
      UsageUnit unit, Instant start, Instant end, BigDecimal unitSeconds, BigDecimal unitPrice) {
    this(unit, start, end, unitSeconds, unitPrice, UsageSum.ACTIVE, BigDecimal.ZERO);
  }

  public UsageBucket {
    Objects.requireNonNull(activity, "activity");
    Objects.requireNonNull(savedUnitSeconds, "savedUnitSeconds");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(unitSeconds, "unitSeconds");
    Objects.requireNonNull(unitPrice, "unitPrice");
  }
}
