package io.streamspace.billing.quota;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;

/**
 * What an account uses of every meter at one instant: its open sessions' cores, memory and count,
 * its storage level, and its counters in the current billing period.
 *
 * @param planId the plan it is on now, whose limits apply
 */
public record AccountUse(
    String accountId, String planId, Currency currency, Map<Meter, BigDecimal> used) {

  public AccountUse {
    used = Map.copyOf(used);
  }

  /** The use of that meter; zero when there is none. */
  public BigDecimal of(Meter meter) {
    return used.getOrDefault(meter, BigDecimal.ZERO);
  }
}
