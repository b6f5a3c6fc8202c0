package io.streamspace.billing;

import io.streamspace.billing.store.payout.PayoutsDue;

/** The test seam of creators' payouts: what a loaded extension is told is due. */
public final class PayoutsTestSource {

  private PayoutsTestSource() {}

  public static void use(BillingExtension billing, PayoutsDue source) {
    billing.payoutsDue(source);
  }
}
