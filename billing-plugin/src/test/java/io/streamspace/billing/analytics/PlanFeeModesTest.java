package io.streamspace.billing.analytics;

import static io.streamspace.billing.catalog.BillingMode.HYBRID;
import static io.streamspace.billing.catalog.BillingMode.SUBSCRIPTION;
import static io.streamspace.billing.catalog.BillingMode.USAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.analytics.PlanFeeModes.Change;
import io.streamspace.billing.analytics.PlanFeeModes.Span;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spans in which a plan fee was charged, from the billing mode's recorded changes and the
 * mode now: subscription and hybrid charge it, usage does not. Null is "no start" or "no end".
 */
class PlanFeeModesTest {

  private static final Instant FEB_10 = Instant.parse("2026-02-10T09:00:00Z");
  private static final Instant MAR_20 = Instant.parse("2026-03-20T09:00:00Z");

  @Test
  void withNoChangeRecorded_theModeNowHoldsForAllTime() {
    assertEquals(List.of(new Span(null, null)), PlanFeeModes.charged(List.of(), HYBRID));
    assertEquals(List.of(), PlanFeeModes.charged(List.of(), USAGE));
  }

  @Test
  void usageToHybridThenToSubscription_chargesFromTheFirstChangeOnWithoutABreak() {
    assertEquals(
        List.of(new Span(FEB_10, null)),
        PlanFeeModes.charged(
            List.of(new Change(FEB_10, USAGE, HYBRID), new Change(MAR_20, HYBRID, SUBSCRIPTION)),
            SUBSCRIPTION));
  }

  @Test
  void subscriptionToUsageThenBackToHybrid_leavesAGapBetweenTheTwoChanges() {
    assertEquals(
        List.of(new Span(null, FEB_10), new Span(MAR_20, null)),
        PlanFeeModes.charged(
            List.of(new Change(FEB_10, SUBSCRIPTION, USAGE), new Change(MAR_20, USAGE, HYBRID)),
            HYBRID));
  }

  @Test
  void afterTheLastRecordedChange_theModeOfTheConfigNowHolds() {
    // recorded usage → hybrid, but the config now is usage (saved with no entry): no fee
    assertEquals(
        List.of(), PlanFeeModes.charged(List.of(new Change(FEB_10, USAGE, HYBRID)), USAGE));
  }
}
