package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.collection.RetrySchedule;
import io.streamspace.billing.stripe.CreditNoteGateway;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credit notes' work at Stripe, sent after their commit ({@link CreditNoteGateway}): the
 * Refund through the invoice's PaymentIntent of a note refunded {@code payment_method}, and the
 * Stripe Credit Note on the Stripe invoice that mirrors the note's invoice. The route that issued
 * a note sends it at once ({@link #sendNow}); the collect-payments job sends what is still
 * pending ({@link #sendDue}): Stripe unreachable, or a mirror not sent yet (its Stripe Credit Note
 * waits for the Stripe invoice, which the same job sends first). Each note is claimed in a short
 * transaction ({@code FOR UPDATE SKIP LOCKED}, leased for {@link #LEASE}), Stripe called with no
 * connection held, the outcome settled while the lease holds; an outage backed off ({@link
 * RetrySchedule#afterOutage}). A refusal by Stripe is kept ({@code failed}, with Stripe's error)
 * for an admin. Only while stripeEnabled.
 */
public final class StripeCreditNotes {

  /** What one run did. */
  public record Run(int sent, int failed, int deferred) {
    public int touched() {
      return sent + failed + deferred;
    }
  }

  static final int BATCH = 100;

  /** How long a claimed note is its run's: longer than its calls and their retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StripeCreditNotes.class);

  private final DataSource dataSource;
  private final CreditNoteGateway gateway;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public StripeCreditNotes(
      DataSource dataSource, StripeClients clients, Supplier<BillingConfig> config, Clock clock) {
    this.dataSource = dataSource;
    this.gateway = new CreditNoteGateway(clients);
    this.config = config;
    this.clock = clock;
  }

  /**
   * Sends the note's work now, through the interactive client (an admin waits on the route),
   * if it is due and no one else holds it; a failure to reach the database is logged and left
   * to the job.
   */
  public void sendNow(long creditNoteId) {
    if (!config.get().stripeEnabled()) {
      return;
    }
    try {
      sendOne(creditNoteId, clock.instant(), true);
    } catch (SQLException e) {
      log.warn("credit note {}: its work at Stripe is left to collect-payments", creditNoteId, e);
    }
  }

  /** Sends the notes due, each claimed and settled in its own short transaction. */
  public Run sendDue(Clock clock) throws SQLException {
    int sent = 0;
    int failed = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Optional<String> state = sendOne(null, clock.instant(), false);
      if (state.isEmpty()) {
        break;
      }
      switch (state.get()) {
        case "sent", "none" -> sent++;
        case "failed" -> failed++;
        default -> deferred++;
      }
      if ("pending".equals(state.get())) {
        break; // Stripe unreachable, or a mirror not sent: the rest would wait the same
      }
    }
    return new Run(sent, failed, deferred);
  }

  /** How many notes wait for their work at Stripe (due or not). */
  public long backlog() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return CreditNoteQueue.backlog(c);
    }
  }

  /** Claims, sends and settles one due note; the state it was left in, empty when none was due. */
  private Optional<String> sendOne(Long only, Instant now, boolean interactive)
      throws SQLException {
    Optional<CreditNoteQueue.Claim> claimed =
        Transactions.inTransaction(
            dataSource, c -> CreditNoteQueue.claim(c, only, now.plus(LEASE), now));
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    CreditNoteQueue.Claim claim = claimed.get();
    Optional<CreditNoteGateway.Send> send = claim.send();
    CreditNoteGateway.Outcome outcome;
    if (claim.waitsForMirror()) {
      outcome =
          new CreditNoteGateway.Outcome(
              "pending", claim.refunded(), null, "waiting for its invoice's Stripe mirror", true);
    } else if (send.isEmpty()) {
      outcome = new CreditNoteGateway.Outcome("none", claim.refunded(), null, null, false);
    } else {
      outcome = gateway.send(send.get(), now, interactive);
    }
    Instant next = RetrySchedule.afterOutage(claim.attempts(), now);
    boolean settled =
        Transactions.inTransaction(
            dataSource,
            c ->
                CreditNoteQueue.settle(
                    c,
                    claim,
                    outcome.state(),
                    outcome.refunded(),
                    outcome.stripeCreditNote(),
                    outcome.error(),
                    next));
    if (!settled) {
      log.info("credit note {}: settled meanwhile by another claim", claim.number());
    } else if (outcome.error() != null) {
      log.warn("credit note {} at Stripe: {} {}", claim.number(), outcome.state(), outcome.error());
    } else {
      log.info("credit note {} at Stripe: {}", claim.number(), outcome.state());
    }
    return Optional.of(outcome.state());
  }
}
