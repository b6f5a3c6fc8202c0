package io.streamspace.billing.payments.collection;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.stripe.ChargeOutcome;
import io.streamspace.billing.stripe.CollectionGateway;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invoice collection through Stripe, a durable queue of attempts ({@link CollectionRepository}).
 * Finalizing an invoice with a positive total only inserts its first attempt, in the
 * finalization's transaction, so a Stripe outage never holds up invoicing. The collect-payments
 * job works the due attempts off, each claimed in a short transaction ({@code FOR UPDATE SKIP
 * LOCKED}: nodes share the work) that leases it (due again after {@link #LEASE}, so a node dying
 * mid-call leaves it to be taken again), then Stripe is called with no connection held ({@link
 * CollectionGateway}), then the outcome is settled in a second transaction, only while the lease
 * is still its own ({@link Settlement}: a success pays the invoice, a decline queues the next
 * attempt on the {@link RetrySchedule}, an outage defers the attempt).
 */
public final class StripeCollections implements InvoiceFinalizer.OnFinalized {

  /** What one run did with the attempts it took. */
  public record Run(int sent, int failed, int cancelled, int deferred) {
    public int touched() {
      return sent + failed + cancelled + deferred;
    }
  }

  /** The most attempts one run takes, so a run ends. */
  static final int BATCH = 100;

  /** How long a claimed attempt is its run's: longer than the calls' timeouts and retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StripeCollections.class);

  private final DataSource dataSource;
  private final CollectionGateway gateway;
  private final Settlement settlement;
  private final Supplier<BillingConfig> config;

  public StripeCollections(
      DataSource dataSource,
      StripeClients clients,
      PaymentSuccesses successes,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.gateway = new CollectionGateway(clients);
    this.settlement = new Settlement(dataSource, successes, config);
    this.config = config;
  }

  /**
   * Queues the first attempt to collect a just-finalized invoice, due at once, in the caller's
   * (the finalization's) transaction: only while stripeEnabled, and only a positive total.
   */
  @Override
  public void finalized(Connection connection, Invoice invoice) throws SQLException {
    finalizedAll(connection, List.of(invoice));
  }

  /** {@link #finalized} of a chunk's invoices, in one statement. */
  @Override
  public void finalizedAll(Connection connection, List<Invoice> invoices) throws SQLException {
    if (!config.get().stripeEnabled()) {
      return;
    }
    List<Invoice> owed =
        invoices.stream()
            .filter(i -> i.status() == InvoiceStatus.SENT && i.total().signum() > 0)
            .toList();
    CollectionRepository.enqueueFirst(
        connection,
        owed.stream().map(Invoice::id).toList(),
        owed.stream().map(Invoice::finalizedAt).toList());
  }

  /**
   * A sent attempt whose PaymentIntent Stripe declined afterwards ({@code
   * payment_intent.payment_failed} with our metadata): the attempt fails and the next is queued
   * as after an immediate decline, in the caller's (the webhook's) transaction. Anything but the
   * attempt that sent this PaymentIntent, still {@code sent}, changes nothing (a decline already
   * failed at the call, a replay).
   *
   * @return whether the attempt was failed now
   */
  public boolean declinedLater(
      Connection c, long invoiceId, int attempt, String paymentIntentId, String why, Instant now)
      throws SQLException {
    return settlement.declinedLater(c, invoiceId, attempt, paymentIntentId, why, now);
  }

  /**
   * The account's customer has a new default payment method (the webhook's transaction, the
   * caller's): each of its open invoices gets an attempt due at once, to be charged with it: its
   * pending attempt never claimed yet is moved to now, and one with no attempt pending or waiting
   * for Stripe gets one more. An attempt already claimed keeps its card (its key is sent with
   * it); if that card is declined, the next is due at once ({@link RetrySchedule#afterDecline}).
   * Bounded by what the customer does; only while stripeEnabled.
   *
   * @return how many attempts were made due now
   */
  public int newPaymentMethod(Connection c, String orgId, Instant now) throws SQLException {
    if (!config.get().stripeEnabled()) {
      return 0;
    }
    int moved = CollectionRepository.dueNowWithNewMethod(c, orgId, now);
    int queued = CollectionRepository.retryWithNewMethod(c, orgId, now);
    if (moved + queued > 0) {
      log.info(
          "{} invoices of {} due for collection with a new payment method", moved + queued, orgId);
    }
    return moved + queued;
  }

  /** How many attempts wait to be sent (due or not). */
  public long backlog() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return CollectionRepository.backlog(connection);
    }
  }

  /**
   * Sends the attempts due, each claimed and settled in its own short transaction,
   * none open during the call. The run stops at the first attempt Stripe could not be reached
   * for: the others would only wait out the same outage. A payment Stripe answers succeeded at
   * once is recorded as the collect-payments job's.
   */
  public Run collectDue(Clock clock) throws SQLException {
    return collectDue(clock, Settlement.BY_COLLECTION);
  }

  /**
   * {@link #collectDue(Clock)} as {@code cause} in the audit trail: the job's run, or the admin
   * who started it by hand.
   */
  public Run collectDue(Clock clock, Cause cause) throws SQLException {
    int sent = 0;
    int failed = 0;
    int cancelled = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Instant now = clock.instant(); // each lease from its own claim: a run's calls take time
      Optional<Attempt> claimed =
          Transactions.inTransaction(
              dataSource, c -> CollectionRepository.claim(c, now.plus(LEASE), now));
      if (claimed.isEmpty()) {
        break;
      }
      ChargeOutcome outcome = charge(claimed.get(), now);
      switch (outcome.state()) {
        case "sent" -> sent++;
        case "failed" -> failed++;
        case "cancelled" -> cancelled++;
        default -> deferred++;
      }
      settlement.settle(claimed.get(), outcome, now, cause);
      if (outcome.deferred()) {
        break;
      }
    }
    return new Run(sent, failed, cancelled, deferred);
  }

  /**
   * Charges the attempt, with no connection held but for keeping its first try's choice; an
   * invoice no longer open is not charged.
   */
  private ChargeOutcome charge(Attempt attempt, Instant now) throws SQLException {
    if (attempt.invoiceStatus() != InvoiceStatus.SENT
        && attempt.invoiceStatus() != InvoiceStatus.OVERDUE) {
      return ChargeOutcome.settled(
          "cancelled", "invoice is " + attempt.invoiceStatus().value(), null);
    }
    return gateway.charge(
        attempt.charge(),
        (method, amount) ->
            Transactions.inTransaction(
                dataSource, c -> CollectionRepository.keepChoice(c, attempt, method, amount, now)),
        now);
  }
}
