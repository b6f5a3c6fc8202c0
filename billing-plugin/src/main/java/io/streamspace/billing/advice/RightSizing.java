package io.streamspace.billing.advice;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Right-sizing: the held meters an organization's sessions used well below what they held, from
 * what the platform reports they actually used ({@code "used"} on session events), with what the
 * period would have cost at the smaller size. No event carries {@code used} yet, so {@link
 * #NOT_REPORTED} is all there is: the advice's right-sizing stays empty until sessions report
 * their use and a source of it implements this.
 */
@FunctionalInterface
public interface RightSizing {

  /** The answer while no session reports what it used: nothing to size. */
  RightSizing NOT_REPORTED = (orgId, from, to) -> List.of();

  /** The sizes to suggest for the organization's sessions of {@code [from, to)}. */
  List<Size> of(String orgId, Instant from, Instant to) throws Exception;

  /**
   * "Your sessions used at most {@code p95Used} of their {@code held} (p95); at {@code suggested}
   * the period would have cost {@code saving} less."
   */
  record Size(
      String meter, BigDecimal held, BigDecimal p95Used, BigDecimal suggested, BigDecimal saving) {}
}
