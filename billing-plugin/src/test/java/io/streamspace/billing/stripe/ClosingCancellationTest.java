package io.streamspace.billing.stripe;

import static io.streamspace.billing.stripe.ClosingCancellation.refundAfterClosing;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What a subscription's payment for March 2026 (31 days, 2,678,400 s) is owed back when its
 * organization closes: the share of the period after the closing, rounded once, half up.
 */
class ClosingCancellationTest {

  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private static long refund(long paid, String closedAt) {
    return refundAfterClosing(paid, MARCH, APRIL, Instant.parse(closedAt));
  }

  @Test
  void closedWithElevenDaysLeft_elevenThirtyFirstsAreRefunded() {
    // 9,999 × 950,400 / 2,678,400 = 9,999 × 11 / 31 = 3,548.03
    assertEquals(3548, refund(9999, "2026-03-21T00:00:00Z"));
  }

  @Test
  void halfACentIsRoundedUp() {
    // closed at the period's middle, 15.5 days in: 1 × 1,339,200 / 2,678,400 = 0.5
    assertEquals(1, refund(1, "2026-03-16T12:00:00Z"));
    // 3 × 0.5 = 1.5
    assertEquals(2, refund(3, "2026-03-16T12:00:00Z"));
  }

  @Test
  void aPeriodBegunAtOrAfterTheClosingIsRefundedInFull() {
    assertEquals(9999, refund(9999, "2026-03-01T00:00:00Z"));
    assertEquals(9999, refund(9999, "2026-02-20T00:00:00Z"));
  }

  @Test
  void aPeriodEndedByTheClosingOwesNothing() {
    assertEquals(0, refund(9999, "2026-04-01T00:00:00Z"));
    // one second left: 9,999 / 2,678,400 = 0.0037
    assertEquals(0, refund(9999, "2026-03-31T23:59:59Z"));
  }
}
