package io.streamspace.billing.payments.stripe;

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
   * @throws StripeException when Stripe refused or could not be reached
   */
  public void refund(
      String paymentIntent, BigDecimal amount, Currency currency, String idempotencyKey)
      throws StripeException, NotConfigured {
    StripeClient stripe = clients.interactive().orElseThrow(NotConfigured::new);
    try {
      create(stripe, paymentIntent, amount, currency, idempotencyKey);
    } catch (StripeException e) {
      // the money went back already: a try whose commit failed, retried after Stripe forgot its
      // key (24 hours), or a refund made in Stripe's Dashboard; either way it is refunded
      if (!ALREADY_REFUNDED.equals(e.getCode())) {
        throw e;
      }
    }
  }

  private static void create(
      StripeClient stripe,
      String paymentIntent,
      BigDecimal amount,
      Currency currency,
      String idempotencyKey)
      throws StripeException {
    stripe
        .v1()
        .refunds()
        .create(
            RefundCreateParams.builder()
                .setPaymentIntent(paymentIntent)
                .setAmount(StripeAmounts.toMinorUnits(amount, currency))
                .build(),
            RequestOptions.builder().setIdempotencyKey(idempotencyKey).build());
  }
}
