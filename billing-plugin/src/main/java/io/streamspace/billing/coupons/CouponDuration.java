package io.streamspace.billing.coupons;

import io.streamspace.billing.money.BillingPeriods;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * For how many billing periods a redeemed coupon discounts: the period it is redeemed in
 * ({@code once}), that one and the following up to {@code duration_in_periods} in all ({@code
 * repeating}), or every one from it on ({@code forever}). The periods are the invoice's own
 * (invoice day to invoice day in the billing zone, {@link BillingPeriods}), fixed at the
 * redemption.
 */
public enum CouponDuration {
  ONCE,
  REPEATING,
  FOREVER;

  /** As the API and the table write it: {@code once}, {@code repeating}, {@code forever}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<CouponDuration> named(String value) {
    return Arrays.stream(values()).filter(d -> d.value().equals(value)).findFirst();
  }

  /**
   * The end of what a redemption at {@code redeemedAt} discounts: the end of its last period;
   * null for {@code forever}.
   *
   * @param periods for {@code repeating}, how many periods in all (else ignored)
   */
  public Instant until(Instant redeemedAt, Integer periods, BillingPeriods billing) {
    int count =
        switch (this) {
          case ONCE -> 1;
          case REPEATING -> periods;
          case FOREVER -> 0;
        };
    if (count == 0) {
      return null;
    }
    Instant until = redeemedAt;
    for (int i = 0; i < count; i++) {
      until = billing.periodEnd(until);
    }
    return until;
  }
}
