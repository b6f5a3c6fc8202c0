package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.prepaid.TopUps;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeEvent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;

/**
 * A top-up's Checkout Session completed paid, in the event's transaction: the organization's
 * prepaid balance is credited with what the session took net of tax ({@code amount_total} less
 * {@code total_details.amount_tax}: with Stripe Tax and prices excluding it, the amount asked
 * for; including it, that less its tax), as a {@code top_up} entry of source {@code
 * checkout:<session>}, once however often Stripe delivers it ({@link TopUps#credit}).
 */
final class CompletedTopUps {

  private final AutoTopUps autoTopUps;

  /** @param autoTopUps whose {@link AutoTopUps#topUps} credit Checkout's top-ups too */
  CompletedTopUps(AutoTopUps autoTopUps) {
    this.autoTopUps = autoTopUps;
  }

  /**
   * Credits the session's payment (taken in {@code currency}, checked by the caller); answers
   * what to announce after the commit, empty when it was credited before.
   */
  Optional<Runnable> credit(
      Connection c, StripeEvent event, String orgId, Currency currency, Instant now)
      throws SQLException {
    long total = event.number("amount_total");
    Long tax = event.number("total_details/amount_tax");
    BigDecimal gross = StripeAmounts.fromMinorUnits(total, currency);
    BigDecimal net = StripeAmounts.fromMinorUnits(total - (tax == null ? 0 : tax), currency);
    return autoTopUps
        .topUps()
        .credit(
            c,
            new TopUps.Paid(
                orgId,
                currency,
                event.text("payment_intent"),
                gross,
                net,
                "checkout:" + event.text("id"),
                "Stripe Checkout top-up"),
            now,
            Cause.stripe(event.id()));
  }

  /** {@link TopUps#refunded}: a refund of the session's payment delivered before it. */
  void refunded(Connection c, String intent, BigDecimal refunded, Instant now, Cause cause)
      throws SQLException {
    autoTopUps.topUps().refunded(c, intent, refunded, now, cause);
  }
}
