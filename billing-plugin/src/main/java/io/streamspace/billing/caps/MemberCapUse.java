package io.streamspace.billing.caps;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.List;

/**
 * A member's cap inside an organization beside what they hold under it now, as admission counts
 * it (so a member sees why a session is refused).
 *
 * @param userId the member
 * @param meters each capped meter, in {@link MemberCap#METERS} order
 */
public record MemberCapUse(String userId, List<Capped> meters) {

  /** A capped meter: the cap, and how much of it the member's open sessions hold. */
  public record Capped(Meter meter, BigDecimal cap, BigDecimal used) {}

  public MemberCapUse {
    meters = List.copyOf(meters);
  }
}
