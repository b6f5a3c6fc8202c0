package io.streamspace.billing.stripe;

import com.stripe.model.PaymentIntent;

/**
 * How one try of an off-session charge ended, in words the queue stores without speaking
 * stripe-java: the attempt's new state ({@code sent}, {@code failed}, {@code cancelled}), or
 * {@code pending} again when {@code deferred}; what went wrong, if anything (for the log and the
 * attempt's row), and of a failure what may be shown ({@code failure}); the PaymentIntent Stripe
 * answered with, if any, and its id (a decline may name one without answering it).
 */
public record ChargeOutcome(
    String state,
    String error,
    Intent intent,
    String paymentIntentId,
    boolean deferred,
    Failure failure) {

  /** The code a charge failed for with no payment method to charge: no customer or default. */
  public static final String NO_PAYMENT_METHOD = "no_payment_method";

  /**
   * Why a charge failed, as an organization may be told it: a code ({@code insufficient_funds},
   * {@code card_declined}, {@value #NO_PAYMENT_METHOD}) and Stripe's message for the cardholder
   * when Stripe declined a card (null otherwise: no other refusal's words leave the log).
   */
  public record Failure(String code, String message) {}

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
    return new ChargeOutcome(state, error, null, paymentIntentId, false, null);
  }

  /** The attempt stays pending, to be tried again later. */
  public static ChargeOutcome deferred(String error) {
    return new ChargeOutcome("pending", error, null, null, true, null);
  }

  /** Failed, Stripe declining it or refusing the charge (perhaps naming a PaymentIntent). */
  static ChargeOutcome declined(String error, String paymentIntentId, Failure failure) {
    return new ChargeOutcome("failed", error, null, paymentIntentId, false, failure);
  }

  /** Failed before Stripe was asked to charge: nothing to charge it with. */
  static ChargeOutcome noPaymentMethod(String error) {
    return declined(error, null, new Failure(NO_PAYMENT_METHOD, "no payment method on file"));
  }

  static ChargeOutcome answered(String state, String error, PaymentIntent intent, Failure failure) {
    return new ChargeOutcome(state, error, Intent.of(intent), intent.getId(), false, failure);
  }
}
