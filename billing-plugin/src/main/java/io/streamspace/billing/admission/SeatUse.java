package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;

/**
 * An organization's seats as member admission sees them.
 *
 * @param planId its plan, null if not known yet (the default plan applies)
 * @param currency what it is billed in, null if not known yet (the configured one)
 * @param members its members now: a personal organization's one, a team's members
 * @param alreadyMember whether the user asked about is one of them (no new seat)
 * @param seatLimit the seat limit its Owner set, null when none
 * @param packAdds what its packs active now add to its limits
 */
record SeatUse(
    String planId,
    Currency currency,
    int members,
    boolean alreadyMember,
    Integer seatLimit,
    Map<Meter, BigDecimal> packAdds) {

  /** An organization admission knows nothing of yet: no member, the defaults. */
  static final SeatUse NONE = new SeatUse(null, null, 0, false, null, Map.of());

  SeatUse {
    packAdds = Map.copyOf(packAdds);
  }
}
