package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * Lengths of time as money measures them: exactly. Instants are stored with microseconds (a plan
 * changed at the clock's instant, 10:59:59.250), so a length cut to whole seconds would drop the
 * part of the second around a cut point from both pieces that meet there. Exact lengths tile a
 * range: the pieces of any cut add up to the whole, and each instant counts once.
 */
public final class Seconds {

  private Seconds() {}

  /** The exact length of {@code [from, to)} in seconds, its fraction included. */
  public static BigDecimal between(Instant from, Instant to) {
    Duration length = Duration.between(from, to);
    BigDecimal whole = BigDecimal.valueOf(length.getSeconds());
    return length.getNano() == 0 ? whole : whole.add(BigDecimal.valueOf(length.getNano(), 9));
  }
}
