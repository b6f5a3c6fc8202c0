package io.streamspace.billing.payments.topup;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.TopUpFailed;
import io.streamspace.billing.payments.collection.RetrySchedule;
import io.streamspace.billing.prepaid.TopUpChecks;
import io.streamspace.billing.prepaid.TopUps;
import io.streamspace.billing.stripe.ChargeOutcome;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an auto top-up attempt's outcome does, once Stripe has answered (or failed to), as
 * collection's settling does for an invoice: Stripe unreachable leaves it pending, due again
 * after the collection queue's backoff; a PaymentIntent that succeeded credits the balance (once,
 * by its id: {@link TopUps#credit}); one processing waits for the webhook; a decline fails the
 * attempt, queues the next on the collection's retry schedule ({@code paymentRetryDays} after
 * the balance fell below the threshold) or halts the crossing after the last, and tells {@code
 * billing.top_up.failed}; no payment method halts the crossing and tells it once. Each settles in
 * a transaction of its own (balance, then rule, then attempt, as every writer of them locks),
 * announced after the commit.
 */
final class TopUpSettlement {

  private static final Logger log = LoggerFactory.getLogger(TopUpSettlement.class);

  /** What an entry of an auto top-up says on the balance's statement. */
  static final String REASON = "auto top-up";

  // taken first by every settling: the rule's crossing may change with the attempt
  private static final NamedSql LOCK_RULE =
      NamedSql.of("SELECT 1 FROM billing_top_up_rules WHERE org_id = :org_id FOR UPDATE");

  private final DataSource dataSource;
  private final TopUps topUps;
  private final Consumer<TopUpFailed> failed;
  private final Supplier<BillingConfig> config;

  TopUpSettlement(
      DataSource dataSource,
      TopUps topUps,
      Consumer<TopUpFailed> failed,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.topUps = topUps;
    this.failed = failed;
    this.config = config;
  }

  /** The outcome of a try, if the attempt is still this claim's. */
  void settle(TopUpCharge charge, ChargeOutcome outcome, Instant now, Cause cause)
      throws SQLException {
    List<Runnable> after = new ArrayList<>();
    Transactions.inTransaction(
        dataSource,
        c -> {
          if (outcome.deferred()) {
            Instant due = RetrySchedule.afterOutage(charge.tries(), now);
            return TopUpChargeRepository.defer(c, charge, due, outcome.error(), now);
          }
          ChargeOutcome.Intent intent = outcome.intent();
          if (intent != null && intent.succeeded()) {
            return succeeded(c, charge, intent, now, cause, after);
          }
          lockRule(c, charge.orgId());
          if (outcome.state().equals("sent")) {
            return TopUpChargeRepository.settle(
                c, charge, "sent", null, null, outcome.paymentIntentId(), now);
          }
          ChargeOutcome.Failure failure =
              outcome.failure() != null
                  ? outcome.failure()
                  : new ChargeOutcome.Failure("charge_failed", null);
          if (!TopUpChargeRepository.settle(
              c,
              charge,
              "failed",
              failure.code(),
              outcome.error(),
              outcome.paymentIntentId(),
              now)) {
            return false;
          }
          failedNow(c, charge, failure, now, after);
          return true;
        });
    after.forEach(Runnable::run);
    log.info(
        "auto top-up {} of {}: {} {}",
        charge.id(),
        charge.orgId(),
        outcome.state(),
        outcome.error() == null ? outcome.paymentIntentId() : outcome.error());
  }

  /** Not charged: the attempt is not needed any more ({@code why}). */
  void cancelled(TopUpCharge charge, String why, Instant now) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        c -> TopUpChargeRepository.settle(c, charge, "cancelled", why, null, null, now));
    log.info("auto top-up {} of {} cancelled: {}", charge.id(), charge.orgId(), why);
  }

  /** Not charged: the month's charges reached the rule's {@code max_per_month}. */
  void capped(TopUpCharge charge, LocalDate month, Instant now) throws SQLException {
    List<Runnable> after = new ArrayList<>();
    Transactions.inTransaction(
        dataSource,
        c -> {
          lockRule(c, charge.orgId());
          if (!TopUpChargeRepository.settle(
              c, charge, "failed", AutoTopUps.MONTHLY_CAP, null, null, now)) {
            return false;
          }
          TopUpChecks.halt(c, charge.orgId(), AutoTopUps.MONTHLY_CAP, month);
          after.add(
              announce(
                  charge,
                  null,
                  AutoTopUps.MONTHLY_CAP,
                  "this month's auto top-ups reached the rule's max_per_month",
                  null,
                  now));
          return true;
        });
    after.forEach(Runnable::run);
  }

  /**
   * A PaymentIntent of the attempt that succeeded at Stripe (the call's answer, or {@code
   * payment_intent.succeeded}), in the caller's transaction: the balance credited with what it
   * received, once by its id; the attempt succeeded. False when it was credited before.
   */
  boolean succeeded(
      Connection c,
      TopUpCharge charge,
      ChargeOutcome.Intent intent,
      Instant now,
      Cause cause,
      List<Runnable> after)
      throws SQLException {
    Currency currency = charge.currency();
    if (intent.amountReceived() == null
        || intent.currency() == null
        || !intent.currency().equalsIgnoreCase(currency.getCurrencyCode())) {
      log.warn("auto top-up {}: {} took no {} it says", charge.id(), intent.id(), currency);
      return false;
    }
    BigDecimal received = StripeAmounts.fromMinorUnits(intent.amountReceived(), currency);
    // no Stripe Tax on an off-session PaymentIntent: what it took is what the balance gets
    Optional<Runnable> credited =
        topUps.credit(
            c,
            new TopUps.Paid(
                charge.orgId(),
                currency,
                intent.id(),
                received,
                received,
                "payment_intent:" + intent.id(),
                REASON),
            now,
            cause);
    credited.ifPresent(after::add);
    lockRule(c, charge.orgId());
    TopUpChargeRepository.succeeded(c, charge.id(), charge.orgId(), intent.id(), now);
    return credited.isPresent();
  }

  /**
   * A sent attempt that Stripe declined afterwards ({@code payment_intent.payment_failed}), in
   * the caller's transaction: failed and followed as a decline at the call is. Nothing for an
   * attempt failed already or a replay.
   */
  void declinedLater(
      Connection c,
      long chargeId,
      String orgId,
      String paymentIntentId,
      ChargeOutcome.Failure failure,
      String error,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    lockRule(c, orgId);
    Optional<TopUpCharge> failedLater =
        TopUpChargeRepository.declinedLater(
            c, chargeId, orgId, paymentIntentId, failure.code(), error, now);
    if (failedLater.isPresent()) {
      failedNow(c, failedLater.get(), failure, now, after);
    }
  }

  /**
   * After the attempt failed: no payment method halts the crossing; a decline queues the next
   * attempt on the retry schedule, or halts the crossing after the last; told either way.
   */
  private void failedNow(
      Connection c,
      TopUpCharge charge,
      ChargeOutcome.Failure failure,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    Instant next = null;
    if (failure.code().equals(ChargeOutcome.NO_PAYMENT_METHOD)) {
      TopUpChecks.halt(c, charge.orgId(), ChargeOutcome.NO_PAYMENT_METHOD, null);
    } else {
      boolean cardReplaced = TopUpChargeRepository.cardChanged(c, charge.id());
      Optional<Instant> due =
          new RetrySchedule(config.get().paymentRetryDays())
              .afterDecline(charge.attempt(), charge.crossedAt(), cardReplaced, now);
      if (due.isPresent()) {
        next = due.get();
        TopUpChargeRepository.retry(c, charge.id(), next, now);
      } else {
        TopUpChecks.halt(c, charge.orgId(), AutoTopUps.DECLINED, null);
      }
    }
    after.add(announce(charge, charge.amount(), failure.code(), failure.message(), next, now));
  }

  private Runnable announce(
      TopUpCharge charge,
      BigDecimal amount,
      String reason,
      String message,
      Instant next,
      Instant now) {
    TopUpFailed event =
        new TopUpFailed(
            charge.orgId(),
            charge.currency().getCurrencyCode(),
            amount,
            reason,
            message,
            charge.attempt(),
            next,
            now);
    return () -> failed.accept(event);
  }

  private static void lockRule(Connection c, String orgId) throws SQLException {
    try (PreparedStatement statement = LOCK_RULE.bind("org_id", orgId).prepare(c)) {
      statement.executeQuery().close();
    }
  }
}
