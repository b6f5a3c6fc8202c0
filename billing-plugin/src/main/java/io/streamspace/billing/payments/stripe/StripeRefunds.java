package io.streamspace.billing.payments.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.RefundCreateParams;
import io.streamspace.billing.store.purchase.CheckoutRefunds;
import io.streamspace.billing.store.purchase.StoreRefused;
import java.math.BigDecimal;
import java.util.Currency;

/** Store refunds at Stripe: a Refund of the Checkout's PaymentIntent, by idempotency key. */
public final class StripeRefunds implements CheckoutRefunds {

  private final StripeClients clients;

  public StripeRefunds(StripeClients clients) {
    this.clients = clients;
  }

  @Override
  public void refund(
      String paymentIntent, BigDecimal amount, Currency currency, String idempotencyKey)
      throws StoreRefused {
    StripeClient stripe =
        clients
            .interactive()
            .orElseThrow(
                () ->
                    new StoreRefused(
                        "stripe_not_configured",
                        "Stripe has no secret key here: the payment cannot be refunded"));
    try {
      stripe
          .v1()
          .refunds()
          .create(
              RefundCreateParams.builder()
                  .setPaymentIntent(paymentIntent)
                  .setAmount(StripeAmounts.toMinorUnits(amount, currency))
                  .build(),
              RequestOptions.builder().setIdempotencyKey(idempotencyKey).build());
    } catch (StripeException e) {
      // Stripe's own message, which names no secret
      throw new StoreRefused("stripe_error", "Stripe did not refund: " + e.getMessage());
    }
  }
}
