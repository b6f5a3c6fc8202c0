package io.streamspace.billing.payments.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StripePaymentsTest {

  /**
   * The types acted on are the handlers' keys, the fifteen the webhook has always handled. Each
   * one's effect is shown by the webhook's own tests (StripeWebhookRouteTest,
   * StripeCheckoutWebhookTest, ...); this pins the list, which is now the map's keys and nothing
   * else: no type is recorded as applied without a handler that acts on it.
   */
  @Test
  void theTypesActedOnAreExactlyThoseWithAHandler() {
    StripePayments payments =
        new StripePayments(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Clock.systemUTC());

    assertEquals(
        Set.of(
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "charge.refunded",
            "refund.failed",
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "charge.dispute.closed",
            "payment_method.attached",
            "payment_method.detached",
            "customer.updated",
            "setup_intent.succeeded",
            "invoice.paid",
            "invoice.payment_failed",
            "customer.subscription.updated",
            "customer.subscription.deleted"),
        payments.handledTypes());
  }
}
