package io.streamspace.billing.payments.topup;

import io.streamspace.billing.stripe.CollectionGateway;
import io.streamspace.billing.stripe.StripeAmounts;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;

/**
 * A claimed auto top-up attempt (its lease: {@code tries}, as the claim left it): whose balance,
 * which crossing it tops up, what its first try chose (amount and month, method, when it was
 * sent; null before), and whom it charges: the organization's Stripe customer and the default
 * payment method the webhook keeps for it.
 */
record TopUpCharge(
    long id,
    String orgId,
    Currency currency,
    Instant crossedAt,
    int attempt,
    int tries,
    BigDecimal amount,
    LocalDate month,
    String paymentMethod,
    Instant firstSentAt,
    String customer,
    String customerDefault) {

  /** This attempt with the amount its first try chose, counted against {@code month}. */
  TopUpCharge choosing(BigDecimal chosen, LocalDate inMonth) {
    return new TopUpCharge(
        id,
        orgId,
        currency,
        crossedAt,
        attempt,
        tries,
        chosen,
        inMonth,
        paymentMethod,
        firstSentAt,
        customer,
        customerDefault);
  }

  /** The try the gateway sends Stripe. */
  CollectionGateway.Charge charge() {
    return new CollectionGateway.Charge(
        CollectionGateway.Purpose.topUp(id, attempt),
        orgId,
        amount,
        currency,
        customer,
        customerDefault,
        paymentMethod,
        paymentMethod == null ? null : StripeAmounts.toMinorUnits(amount, currency),
        firstSentAt);
  }
}
