package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Refund;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import com.stripe.param.SubscriptionCancelParams;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Ends at Stripe the Subscription of an organization that closed, so that Stripe charges its plan
 * fee no more. Stripe takes the fee ahead, for the period a payment opens; the plugin charges its
 * own plan fees to the second of the closing ({@code PeriodCharges}). So the subscription is
 * cancelled at once, without Stripe's proration, and the payment of its latest invoice, the one
 * that opened the current period, refunded by the part of the period after the closing ({@link
 * #refundAfterClosing}). The cancel carries a comment that marks it as ours and the refund the
 * subscription's id in its metadata, besides keys derived from the subscription: a retry (the
 * refund failed, the transaction rolled back), even after Stripe forgot the keys, cancels and
 * refunds once. Refunds others made of the payment (from the Dashboard) are deducted from what is
 * left of it, so that no more is given back than was paid.
 */
public final class ClosingCancellation {

  /** The cancellation comment that marks a cancel as this class's. */
  static final String CANCELLED_AT_CLOSING = "ss-closed: the organization was closed";

  /** The status of a subscription whose first payment never went through: ended, unpaid. */
  private static final String INCOMPLETE_EXPIRED = "incomplete_expired";

  /** The refund's metadata key naming the subscription it gives back for. */
  public static final String REFUND_OF = "ss_closed_subscription";

  private final StripeClients clients;

  public ClosingCancellation(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Cancels the subscription and refunds what was paid for its period after {@code closedAt}.
   *
   * @return what was done, in words an admin reads
   * @throws StripeFailure when Stripe refused or could not be reached
   * @throws IllegalStateException when the host holds no Stripe secret key
   */
  public String cancel(String subscriptionId, Instant closedAt) throws StripeFailure {
    StripeClient stripe =
        clients
            .client()
            .orElseThrow(() -> new IllegalStateException("no Stripe secret key: cannot cancel"));
    return StripeFailure.calling(() -> cancel(stripe, subscriptionId, closedAt));
  }

  private String cancel(StripeClient stripe, String subscriptionId, Instant closedAt)
      throws StripeException {
    Ended ended = cancelled(stripe, subscriptionId);
    if (!ended.ours()) {
      // ended by someone else (the Dashboard), who decided what to give back, or expired before
      // its first payment went through (incomplete_expired), which took nothing
      return "subscription %s %s already at Stripe: nothing refunded here"
          .formatted(
              subscriptionId,
              INCOMPLETE_EXPIRED.equals(ended.subscription().getStatus())
                  ? "expired unpaid"
                  : "cancelled");
    }
    Subscription cancelled = ended.subscription();
    String done = "subscription " + subscriptionId + " cancelled";
    Optional<SubscriptionItem> item =
        cancelled.getItems() == null
            ? Optional.empty()
            : cancelled.getItems().getData().stream().findFirst();
    Optional<PaidInvoice> paid =
        cancelled.getLatestInvoice() == null
            ? Optional.empty()
            : PaidInvoice.of(stripe, cancelled.getLatestInvoice());
    if (item.isEmpty() || paid.isEmpty()) {
      return done + "; its latest invoice took nothing: nothing to refund";
    }
    Instant start = Instant.ofEpochSecond(item.get().getCurrentPeriodStart());
    Instant end = Instant.ofEpochSecond(item.get().getCurrentPeriodEnd());
    long owed = refundAfterClosing(paid.get().amountPaid(), start, end, closedAt);
    if (owed == 0) {
      return done + "; its period ended by the closing: nothing to refund";
    }
    String part =
        closedAt.isAfter(start)
            ? "its period's part after the closing, %s to %s".formatted(closedAt, end)
            : "its whole period, %s to %s, begun after the closing".formatted(start, end);
    Refunds earlier = refunds(stripe, paid.get().paymentIntent(), subscriptionId);
    long refund;
    if (earlier.ours().isPresent()) {
      // made by an earlier try of this closing whose commit here failed: that is the refund
      refund = earlier.ours().getAsLong();
    } else {
      // refunds made by others (the Dashboard) come first: never more back than was paid
      long left = paid.get().amountPaid() - earlier.others();
      refund = Math.min(owed, left);
      if (refund <= 0) {
        return "%s; payment %s refunded in full already by others: nothing to refund"
            .formatted(done, paid.get().paymentIntent());
      }
      if (refund < owed) {
        part += "; %d owed, %d left of the payment after earlier refunds".formatted(owed, left);
      }
      if (!refunded(stripe, paid.get().paymentIntent(), subscriptionId, refund, earlier)) {
        return "%s; payment %s refunded in full already"
            .formatted(done, paid.get().paymentIntent());
      }
    }
    return "%s; %d of the %d %s paid by %s (invoice %s) refunded: %s"
        .formatted(
            done,
            refund,
            paid.get().amountPaid(),
            paid.get().currency(),
            paid.get().paymentIntent(),
            paid.get().invoiceId(),
            part);
  }

  /**
   * Refunds {@code amount} of the payment for the subscription's closing; a refund of ours that
   * failed at Stripe is made again under a key of its own (the first key would answer with the
   * failed one).
   *
   * @return false when Stripe says the payment was refunded in full already
   */
  private static boolean refunded(
      StripeClient stripe,
      String paymentIntent,
      String subscriptionId,
      long amount,
      Refunds earlier)
      throws StripeException {
    String key = "ss-closed-" + subscriptionId + "-refund";
    if (earlier.oursFailed() > 0) {
      key += "-" + (earlier.oursFailed() + 1);
    }
    return StripeRefunds.refundedOnce(
        stripe,
        RefundCreateParams.builder()
            .setPaymentIntent(paymentIntent)
            .setAmount(amount)
            .putMetadata(REFUND_OF, subscriptionId)
            .build(),
        key);
  }

  /** A subscription that has ended, and whether a cancel of ours ended it. */
  private record Ended(Subscription subscription, boolean ours) {}

  /**
   * The subscription as this cancel left it, or as it had ended already: by an earlier cancel of
   * ours (the try whose refund failed, retried after Stripe forgot the key's answer, 24 hours:
   * Stripe then answers a cancelled subscription as missing), by someone else's, or by expiring
   * before its first payment. Stripe refuses to cancel an ended subscription; any other refusal
   * is thrown, to be retried by the next run.
   */
  private static Ended cancelled(StripeClient stripe, String subscriptionId)
      throws StripeException {
    try {
      return new Ended(
          stripe
              .v1()
              .subscriptions()
              .cancel(
                  subscriptionId,
                  SubscriptionCancelParams.builder()
                      .setProrate(false)
                      .setCancellationDetails(
                          SubscriptionCancelParams.CancellationDetails.builder()
                              .setComment(CANCELLED_AT_CLOSING)
                              .build())
                      .build(),
                  key("ss-closed-" + subscriptionId + "-cancel")),
          true);
    } catch (InvalidRequestException refused) {
      Subscription earlier;
      try {
        earlier = stripe.v1().subscriptions().retrieve(subscriptionId);
      } catch (StripeException unread) {
        unread.addSuppressed(refused);
        throw unread;
      }
      if (!"canceled".equals(earlier.getStatus())
          && !INCOMPLETE_EXPIRED.equals(earlier.getStatus())) {
        throw refused;
      }
      boolean ours =
          earlier.getCancellationDetails() != null
              && CANCELLED_AT_CLOSING.equals(earlier.getCancellationDetails().getComment());
      return new Ended(earlier, ours);
    }
  }

  /**
   * The payment's refunds so far: the amount of the one of ours for the subscription's closing,
   * if one is made and has not failed; how many of ours failed; and how many minor units the
   * others give back. A refund that failed or was canceled gives nothing back.
   */
  private record Refunds(OptionalLong ours, int oursFailed, long others) {}

  private static Refunds refunds(StripeClient stripe, String paymentIntent, String subscriptionId)
      throws StripeException {
    OptionalLong ours = OptionalLong.empty();
    int oursFailed = 0;
    long others = 0;
    for (Refund refund :
        stripe
            .v1()
            .refunds()
            .list(RefundListParams.builder().setPaymentIntent(paymentIntent).setLimit(100L).build())
            .autoPagingIterable()) {
      boolean givesBack =
          !"failed".equals(refund.getStatus()) && !"canceled".equals(refund.getStatus());
      if (!subscriptionId.equals(refund.getMetadata().get(REFUND_OF))) {
        others += givesBack ? refund.getAmount() : 0;
      } else if (givesBack) {
        ours = OptionalLong.of(refund.getAmount());
      } else {
        oursFailed++;
      }
    }
    return new Refunds(ours, oursFailed, others);
  }

  /**
   * What a payment of {@code paid} minor units for the period {@code [start, end)} is owed back
   * when the organization closed at {@code closedAt}: {@code paid × seconds after the closing /
   * seconds of the period}, rounded once, half up ({@link Money#ROUNDING}); all of it for a
   * period begun at or after the closing, nothing for one ended by it.
   */
  static long refundAfterClosing(long paid, Instant start, Instant end, Instant closedAt) {
    if (!closedAt.isAfter(start)) {
      return paid;
    }
    if (!closedAt.isBefore(end)) {
      return 0;
    }
    BigDecimal after = BigDecimal.valueOf(Duration.between(closedAt, end).toSeconds());
    BigDecimal period = BigDecimal.valueOf(Duration.between(start, end).toSeconds());
    return BigDecimal.valueOf(paid)
        .multiply(after)
        .divide(period, 0, Money.ROUNDING)
        .longValueExact();
  }

  private static RequestOptions key(String idempotencyKey) {
    return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
  }
}
