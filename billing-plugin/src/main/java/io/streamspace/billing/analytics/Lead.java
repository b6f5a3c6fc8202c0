package io.streamspace.billing.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An organization on a lead plan that may want a bigger one, with why ({@code reasons}, in the
 * order of {@link #REASONS}) and the evidence of each reason under its name.
 *
 * @param evidence per reason: {@code near_limits} a list of {@link NearLimit}, {@code
 *     hit_hard_limit} a list of {@link HardLimitHit}, {@code members_grew} a {@link MemberGrowth}
 */
public record Lead(String orgId, String plan, List<String> reasons, Map<String, Object> evidence) {

  public static final String NEAR_LIMITS = "near_limits";
  public static final String HIT_HARD_LIMIT = "hit_hard_limit";
  public static final String MEMBERS_GREW = "members_grew";

  /** Every reason, in the order a lead lists them. */
  public static final List<String> REASONS = List.of(NEAR_LIMITS, HIT_HARD_LIMIT, MEMBERS_GREW);

  public Lead {
    reasons = List.copyOf(reasons);
    // in the order of the reasons, as the answer lists them
    evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
  }

  /**
   * A meter the organization ran at or above leadLimitPercent of its limit on {@code daysAbove}
   * days of the last 30, {@code highestShare} of the limit at most (used ÷ limit, 4 decimals).
   */
  public record NearLimit(String meter, long daysAbove, BigDecimal highestShare) {}

  /** A meter at or over its hard limit; {@code at}: the first run that found it so, latest day. */
  public record HardLimitHit(String meter, Instant at) {}

  /** The organization's members 30 days ago ({@code from}) and now ({@code to}). */
  public record MemberGrowth(long from, long to) {}
}
