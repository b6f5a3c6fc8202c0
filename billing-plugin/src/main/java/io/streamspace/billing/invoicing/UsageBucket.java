package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.UsageUnit;
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
 */
public record UsageBucket(
    UsageUnit unit, Instant start, Instant end, BigDecimal unitSeconds, BigDecimal unitPrice) {

  public UsageBucket {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(unitSeconds, "unitSeconds");
    Objects.requireNonNull(unitPrice, "unitPrice");
  }
}
