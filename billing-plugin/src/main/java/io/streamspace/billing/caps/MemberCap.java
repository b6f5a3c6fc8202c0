package io.streamspace.billing.caps;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A member's cap inside a team organization: at most so much of each capped concurrent meter
 * held at once by the member's open sessions under that organization. Set by the organization's
 * Admin or Owner; admission refuses a session that would take the member past it (code {@code
 * member_cap}). The member's sessions under another organization, or their personal one, never
 * count against it.
 *
 * <p>Only the concurrent meters ({@link #METERS}) may be capped: admission counts them from memory
 * as sessions open and end. A cap on a member's cost in the period is not offered: a member's part
 * of the cost is known only by rating their sessions and splitting the organization's lines among
 * its members (a query over the period's usage records), which admission must not run per
 * request.
 *
 * @param orgId the team organization
 * @param userId the member
 * @param limits the capped meters, in {@link #METERS} order, each with its cap (zero: none may be
 *     held); at least one
 * @param setBy who set it
 * @param setAt when
 */
public record MemberCap(
    String orgId, String userId, Map<Meter, BigDecimal> limits, String setBy, Instant setAt) {

  /** The meters a cap may name, in the order they are checked and shown. */
  public static final List<Meter> METERS =
      List.of(Meter.ACTIVE_SESSIONS, Meter.CPU_CORES, Meter.MEMORY_GB);

  /** The most sessions a cap allows: a whole number. */
  public static final int MAX_SESSIONS = 10_000;

  /**
   * The largest cap of an amount held (cores, GB): 10^12, as for a plan's limits in the config,
   * which a cap never needs to exceed; a larger one ({@code 1e308}) is a mistake, not a cap.
   */
  public static final BigDecimal MAX_AMOUNT = BigDecimal.TEN.pow(12);

  /** The most decimals of an amount's cap, as for a plan's limits. */
  public static final int MAX_DECIMALS = 12;

  public MemberCap {
    limits = ordered(limits);
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("a cap names at least one meter");
    }
  }

  /** The limits of {@link #METERS} among {@code limits}, in that order; others refused. */
  public static Map<Meter, BigDecimal> ordered(Map<Meter, BigDecimal> limits) {
    Map<Meter, BigDecimal> kept = new LinkedHashMap<>();
    for (Meter meter : METERS) {
      BigDecimal amount = limits.get(meter);
      if (amount != null) {
        if (amount.signum() < 0) {
          throw new IllegalArgumentException("a cap is not negative: " + meter + " " + amount);
        }
        kept.put(meter, amount);
      }
    }
    if (kept.size() != limits.size()) {
      throw new IllegalArgumentException("only " + METERS + " may be capped: " + limits.keySet());
    }
    return Collections.unmodifiableMap(kept);
  }
}
