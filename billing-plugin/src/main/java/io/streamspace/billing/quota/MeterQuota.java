package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One meter of an account's quota.
 *
 * @param limit null when unlimited
 * @param percent of the limit used; null when unlimited or limited to zero
 * @param kind null when unlimited
 * @param resetsAt when a period counter starts again from zero (the next period start); null for
 *     the other meters, which never reset
 * @param overageCost what a soft counter over its limit costs so far at the meter rates, rounded
 *     once; null when not over, not soft, or without a rate in the account's currency
 */
public record MeterQuota(
    Meter meter,
    BigDecimal used,
    BigDecimal limit,
    BigDecimal percent,
    LimitKind kind,
    QuotaState state,
    Instant resetsAt,
    BigDecimal overageCost) {

  /**
   * Whether its use is strictly over a hard limit: 2 of 2 active sessions is at the limit, not
   * over it (what suspends an account after the grace).
   */
  public boolean overHardLimit() {
    return kind == LimitKind.HARD && limit != null && used.compareTo(limit) > 0;
  }
}
