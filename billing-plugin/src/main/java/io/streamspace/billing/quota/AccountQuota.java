package io.streamspace.billing.quota;

import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * An account's quota of every meter, read at one instant.
 *
 * @param periodStart the billing period the counters (and alerts) belong to
 */
public record AccountQuota(
    String orgId, Currency currency, Instant periodStart, List<MeterQuota> meters) {

  public AccountQuota {
    meters = List.copyOf(meters);
  }

  /** Its meters strictly over a hard limit, in meter order; empty when within all of them. */
  public List<MeterQuota> overHardLimits() {
    return meters.stream().filter(MeterQuota::overHardLimit).toList();
  }
}
