package io.streamspace.billing.stripe;

import com.stripe.model.PaymentIntent;

/**
 * How one try of a collection attempt ended, in words the queue stores without speaking
 * stripe-java: the attempt's new state ({@code sent}, {@code failed}, {@code cancelled}), or
 * {@code pending} again when {@code deferred}; what went wrong, if anything; the PaymentIntent
 * Stripe answered with, if any, and its id (a decline may name one without answering it).
 */
public record ChargeOutcome(
    String state, String error, Intent intent, String paymentIntentId, boolean deferred) {

  /**
   * What is kept of a PaymentIntent Stripe answered: enough to record it as a success. Its
   * currency is Stripe's lower-case code; amount and creation are null when Stripe left them out.
   */
  public record Intent(
      String id,
      String status,
      String currency,
      Long amountReceived,
      String latestCharge,
      Long created) {

    static Intent of(PaymentIntent intent) {
      return new Intent(
          intent.getId(),
          intent.getStatus(),
          intent.getCurrency(),
          intent.getAmountReceived(),
          intent.getLatestCharge(),
          intent.getCreated());
    }

    /** Whether Stripe took the money: the invoice can be paid now. */
    public boolean succeeded() {
      return "succeeded".equals(status);
    }
  }

  /** An end decided without a PaymentIntent to keep (perhaps with the id of one). */
  public static ChargeOutcome settled(String state, String error, String paymentIntentId) {
    return new ChargeOutcome(state, error, null, paymentIntentId, false);
  }

  /** The attempt stays pending, to be tried again later. */
  public static ChargeOutcome deferred(String error) {
    return new ChargeOutcome("pending", error, null, null, true);
  }

  static ChargeOutcome answered(String state, String error, PaymentIntent intent) {
    return new ChargeOutcome(state, error, Intent.of(intent), intent.getId(), false);
  }
}
