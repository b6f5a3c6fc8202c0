package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The payload of {@code billing.balance.low}: a prepaid organization running sessions has less
 * than warnMinutes of runway left on its balance, at the rate it spends now. For the platform to
 * offer a top-up in the sessions concerned before they are suspended at zero.
 *
 * @param balance the balance left now, as live cost shows it (what the ledger holds available,
 *     less the period's cost so far)
 * @param runwaySeconds how long it lasts at the rate now
 * @param runwayAt when it is spent at that rate
 * @param sessions the sessions running on it, by id
 */
public record BalanceLow(
    String orgId,
    String currency,
    BigDecimal balance,
    long runwaySeconds,
    Instant runwayAt,
    List<String> sessions,
    Instant at) {

  public BalanceLow {
    sessions = List.copyOf(sessions);
  }
}
