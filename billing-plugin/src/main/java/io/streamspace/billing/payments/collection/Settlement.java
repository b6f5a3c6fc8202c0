package io.streamspace.billing.payments.collection;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.stripe.ChargeOutcome;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an attempt's outcome does, once Stripe has answered (or failed to). Stripe unreachable
 * leaves the attempt pending, due again after a backoff ({@link RetrySchedule#afterOutage}). A
 * decline, at the call or later through the webhook, fails the attempt and queues the next one
 * ({@link RetrySchedule#afterDecline}). A PaymentIntent Stripe answers {@code succeeded} is
 * recorded and its invoice paid at once, as the webhook does ({@link PaymentSuccesses}), and
 * announced after the commit. An outcome is settled only while the attempt's lease is still its
 * claim's: the webhook may have failed it meanwhile, or another node claimed it again.
 */
final class Settlement {

  private static final Logger log = LoggerFactory.getLogger(Settlement.class);

  private final DataSource dataSource;

  /**
   * The audit trail's cause of a payment the collect-payments job's call recorded, when the
   * schedule ran it (a run an admin started names them).
   */
  static final Cause BY_COLLECTION = Cause.job("collect-payments");

  private final PaymentSuccesses successes;
  private final Supplier<BillingConfig> config;

  Settlement(DataSource dataSource, PaymentSuccesses successes, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.successes = successes;
    this.config = config;
  }

  /** The outcome, in a transaction of its own, if the attempt is still this claim's. */
  void settle(Attempt attempt, ChargeOutcome outcome, Instant now, Cause cause)
      throws SQLException {
    Optional<Invoice> paid =
        Transactions.inTransaction(
            dataSource,
            c -> {
              if (!changed(c, attempt, outcome, now)) {
                return Optional.<Invoice>empty();
              }
              if (outcome.state().equals("failed")) {
                queueRetry(c, attempt.invoiceId(), attempt.number(), attempt.finalizedAt(), now);
              }
              return outcome.intent() != null && outcome.intent().succeeded()
                  ? recordSuccess(c, attempt, outcome.intent(), now, cause)
                  : Optional.<Invoice>empty();
            });
    paid.ifPresent(successes::announce);
    String what = outcome.error() == null ? outcome.paymentIntentId() : outcome.error();
    if (outcome.deferred()) {
      log.warn(
          "collecting invoice {} (attempt {}) deferred: {}",
          attempt.invoiceId(),
          attempt.number(),
          what);
    } else {
      log.info(
          "collecting invoice {} (attempt {}): {} {}",
          attempt.invoiceId(),
          attempt.number(),
          outcome.state(),
          what);
    }
  }

  /** The attempt's row changed as the outcome says; false when its lease is lost. */
  private static boolean changed(Connection c, Attempt attempt, ChargeOutcome outcome, Instant now)
      throws SQLException {
    if (outcome.deferred()) {
      Instant due = RetrySchedule.afterOutage(attempt.tries(), now);
      return CollectionRepository.defer(c, attempt, due, outcome.error(), now);
    }
    return CollectionRepository.settle(
        c, attempt, outcome.state(), outcome.error(), outcome.paymentIntentId(), now);
  }

  /**
   * A sent attempt whose PaymentIntent Stripe declined afterwards: the attempt fails and the
   * next is queued as after an immediate decline, in the caller's transaction.
   *
   * @return whether the attempt was failed now
   */
  boolean declinedLater(
      Connection c, long invoiceId, int attempt, String paymentIntentId, String why, Instant now)
      throws SQLException {
    Optional<Instant> finalizedAt =
        CollectionRepository.failDeclinedLater(c, invoiceId, attempt, paymentIntentId, why, now);
    if (finalizedAt.isEmpty()) {
      return false;
    }
    queueRetry(c, invoiceId, attempt, finalizedAt.get(), now);
    log.info("collecting invoice {} (attempt {}): declined by Stripe: {}", invoiceId, attempt, why);
    return true;
  }

  /** The attempt after a declined one, when the schedule has one. */
  private void queueRetry(
      Connection c, long invoiceId, int failed, Instant finalizedAt, Instant now)
      throws SQLException {
    boolean cardReplaced = CollectionRepository.cardChanged(c, invoiceId, failed);
    Optional<Instant> due =
        new RetrySchedule(config.get().paymentRetryDays())
            .afterDecline(failed, finalizedAt, cardReplaced, now);
    if (due.isPresent()) {
      CollectionRepository.enqueue(c, invoiceId, failed + 1, due.get(), now);
    }
  }

  /** Stripe's answer {@code succeeded}: the payment recorded and the invoice paid, once. */
  private Optional<Invoice> recordSuccess(
      Connection c, Attempt attempt, ChargeOutcome.Intent intent, Instant now, Cause cause)
      throws SQLException {
    Optional<Currency> currency =
        Money.currency(
            intent.currency() == null ? null : intent.currency().toUpperCase(Locale.ROOT));
    if (currency.isEmpty() || intent.amountReceived() == null) {
      return Optional.empty(); // the webhook records it
    }
    return successes.record(
        c,
        new PaymentSuccesses.Collected(
            attempt.invoiceId(), attempt.orgId(), attempt.currency(), attempt.total()),
        new PaymentSuccesses.Received(
            intent.id(),
            intent.latestCharge(),
            StripeAmounts.fromMinorUnits(intent.amountReceived(), currency.get()),
            currency.get(),
            intent.created() == null ? now : Instant.ofEpochSecond(intent.created())),
        now,
        now,
        cause);
  }
}
