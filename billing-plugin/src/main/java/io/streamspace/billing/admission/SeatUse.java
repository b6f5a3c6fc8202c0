package io.streamspace.billing.admission;

import java.util.Currency;

/**
 * An organization's seats as member admission sees them.
 *
 * @param planId its plan, null if not known yet (the default plan applies)
 * @param planVersion the version of its plan it is on, null if not known yet (the plan as
 *     configured)
 * @param currency what it is billed in, null if not known yet (the configured one)
 * @param members its members now: a personal organization's one, a team's members
 * @param alreadyMember whether the user asked about is one of them (no new seat)
 * @param seatLimit the seat limit its Owner set, null when none
 */
record SeatUse(
    String planId,
    Integer planVersion,
    Currency currency,
    int members,
    boolean alreadyMember,
    Integer seatLimit) {

  /** An organization admission knows nothing of yet: no member, the defaults. */
  static final SeatUse NONE = new SeatUse(null, null, null, 0, false, null);
}
