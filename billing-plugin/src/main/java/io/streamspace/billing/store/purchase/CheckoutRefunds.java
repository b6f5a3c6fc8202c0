package io.streamspace.billing.store.purchase;

import java.math.BigDecimal;
import java.util.Currency;

/** Gives back what a store purchase's Stripe Checkout took, before the refund is committed. */
@FunctionalInterface
public interface CheckoutRefunds {

  /** Refunds nothing: refusing, so a Checkout purchase is never marked refunded unpaid back. */
  CheckoutRefunds NONE =
      (paymentIntent, amount, currency, idempotencyKey) -> {
        throw new StoreRefused(
            "stripe_not_configured", "Stripe is not configured: the payment cannot be refunded");
      };

  /**
   * Refunds {@code amount} of the payment under {@code idempotencyKey}, so a retried refund
   * (its commit failed after Stripe answered) gives the money back once.
   *
   * @throws StoreRefused {@code stripe_error} when Stripe refused or could not be reached
   */
  void refund(String paymentIntent, BigDecimal amount, Currency currency, String idempotencyKey)
      throws StoreRefused;
}
