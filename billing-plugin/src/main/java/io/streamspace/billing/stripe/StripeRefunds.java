package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.RefundCreateParams;
import java.math.BigDecimal;
import java.util.Currency;

/** Refunds at Stripe: a Refund of a Checkout's PaymentIntent, under an idempotency key. */
public final class StripeRefunds {

  /** The host holds no Stripe secret key: nothing can be refunded. */
  public static final class NotConfigured extends Exception {
    NotConfigured() {
      super("Stripe has no secret key here: the payment cannot be refunded");
    }
  }

  /** Stripe's code for a payment refunded in full before. */
  static final String ALREADY_REFUNDED = "charge_already_refunded";

  private final StripeClients clients;

  public StripeRefunds(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Refunds {@code amount} of the payment; a retry under the same {@code idempotencyKey} refunds
   * once, and a payment Stripe says was refunded in full already counts as refunded.
   *
   * @throws StripeFailure when Stripe refused or could not be reached
   */
  public void refund(
      String paymentIntent, BigDecimal amount, Currency currency, String idempotencyKey)
      throws StripeFailure, NotConfigured {
    StripeClient stripe = clients.interactive().orElseThrow(NotConfigured::new);
    RefundCreateParams refund =
        RefundCreateParams.builder()
            .setPaymentIntent(paymentIntent)
            .setAmount(StripeAmounts.toMinorUnits(amount, currency))
            .build();
    StripeFailure.calling(() -> refundedOnce(stripe, refund, idempotencyKey));
  }

  /**
   * Creates the refund; false when Stripe says the payment was refunded in full before (a try
   * whose commit failed, retried after Stripe forgot its key, or a refund made in Stripe's
   * Dashboard): either way the money went back, so that counts as done.
   */
  static boolean refundedOnce(StripeClient stripe, RefundCreateParams refund, String key)
      throws StripeException {
    try {
      stripe.v1().refunds().create(refund, RequestOptions.builder().setIdempotencyKey(key).build());
      return true;
    } catch (StripeException e) {
      if (!ALREADY_REFUNDED.equals(e.getCode())) {
        throw e;
      }
      return false;
    }
  }
}
