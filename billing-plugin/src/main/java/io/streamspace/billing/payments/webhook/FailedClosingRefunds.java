package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.stripe.ClosingCancellation;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code refund.failed} of the refund that gave back, at an organization's closing, what its
 * Stripe Subscription was paid for after it (the refund names the subscription in its metadata,
 * {@link ClosingCancellation#REFUND_OF}): a refund can fail days after it was made (a closed card),
 * and gives nothing back then. The subscription's {@code given_back} is forgotten, so the next
 * collect-payments run gives back again: it finds this refund failed and makes another, under a
 * key of its own. Any other refund's failure changes nothing here.
 */
final class FailedClosingRefunds {

  static final String FAILED = "refund.failed";

  private static final Logger log = LoggerFactory.getLogger(FailedClosingRefunds.class);

  private FailedClosingRefunds() {}

  static void failed(Connection c, StripeEvent event) throws SQLException {
    String subscription = event.text("metadata/" + ClosingCancellation.REFUND_OF);
    if (subscription == null || !"failed".equals(event.text("status"))) {
      return;
    }
    if (StripeSubscriptions.notGivenBack(c, subscription)) {
      log.warn(
          "Stripe refund {} of subscription {}'s payment at its organization's closing failed"
              + " ({}): the next collect-payments run refunds again",
          SafeText.forLog(event.text("id")),
          SafeText.forLog(subscription),
          SafeText.forLog(event.text("failure_reason")));
    }
  }
}
