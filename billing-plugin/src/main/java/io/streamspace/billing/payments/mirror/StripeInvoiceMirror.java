package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.payments.collection.RetrySchedule;
import io.streamspace.billing.stripe.InvoiceMirrorGateway;
import io.streamspace.billing.stripe.InvoiceMirrorGateway.Outcome;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeCustomers;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stripe Billing collection (stripeCollection {@code stripe_invoices}): each finalized invoice
 * with a positive total is mirrored into Stripe as a Stripe Invoice, which Stripe charges,
 * retries and emails. Finalizing only inserts the invoice's row in {@code
 * billing_stripe_invoices}, in the finalization's transaction; the collect-payments job then
 * sends the due rows as the collection queue does ({@link
 * io.streamspace.billing.payments.collection.StripeCollections}): each claimed in a short
 * transaction ({@code FOR UPDATE SKIP LOCKED}, leased for {@link #LEASE}), Stripe called with no
 * connection held ({@link InvoiceMirrorGateway}), the outcome settled while the lease holds, an
 * outage backed off ({@link RetrySchedule#afterOutage}). The webhook's {@code invoice.paid} and
 * {@code invoice.payment_failed} mark the row {@link #paid} or {@link #failed}.
 */
public final class StripeInvoiceMirror implements InvoiceFinalizer.OnFinalized {

  /** What one run did with the rows it took. */
  public record Run(int sent, int failed, int voided, int deferred) {
    public int touched() {
      return sent + failed + voided + deferred;
    }
  }

  static final int BATCH = 100;

  /** How long a claimed row is its run's: longer than a mirror's calls and their retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StripeInvoiceMirror.class);

  /** The audit trail's cause of an invoice paid by its Stripe Subscription alone. */
  private static final Cause BY_COLLECTION = Cause.job("collect-payments");

  private final DataSource dataSource;
  private final InvoiceMirrorGateway gateway;
  private final StripeCustomers customers;
  private final InvoiceStatusChanges invoices;
  private final Supplier<BillingConfig> config;
  private final StripeCreditNotes creditNotes;

  public StripeInvoiceMirror(
      DataSource dataSource,
      StripeClients clients,
      StripeCustomers customers,
      InvoiceStatusChanges invoices,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.gateway = new InvoiceMirrorGateway(clients);
    this.customers = customers;
    this.invoices = invoices;
    this.config = config;
    this.creditNotes = new StripeCreditNotes(dataSource, clients, config, clock);
  }

  /**
   * The credit notes' work at Stripe: their Stripe Credit Notes go on the Stripe invoices this
   * mirror made, and wait for them.
   */
  public StripeCreditNotes creditNotes() {
    return creditNotes;
  }

  @Override
  public void finalized(Connection connection, Invoice invoice) throws SQLException {
    finalizedAll(connection, List.of(invoice));
  }

  /**
   * Queues the mirror of each just-finalized invoice with a positive total, due at once, in the
   * caller's (the finalization's) transaction; only while stripeEnabled.
   */
  @Override
  public void finalizedAll(Connection connection, List<Invoice> invoices) throws SQLException {
    if (!config.get().stripeEnabled()) {
      return;
    }
    List<Invoice> owed =
        invoices.stream()
            .filter(i -> i.status() == InvoiceStatus.SENT && i.total().signum() > 0)
            .toList();
    // paid by credits or the prepaid balance alone, plan fee included: when a Stripe Subscription
    // charges that fee, what they spent on it goes to Stripe too (as the customer's balance), or
    // it would be lost
    List<Invoice> credited =
        invoices.stream()
            .filter(
                i ->
                    i.total().signum() == 0
                        && (i.creditsApplied().signum() > 0 || i.balanceApplied().signum() > 0))
            .toList();
    if (!credited.isEmpty()) {
      Set<Long> subscribed = MirrorRepository.subscribed(connection, credited);
      owed =
          Stream.concat(owed.stream(), credited.stream().filter(i -> subscribed.contains(i.id())))
              .toList();
    }
    MirrorRepository.enqueue(
        connection,
        owed.stream().map(Invoice::id).toList(),
        owed.stream().map(Invoice::orgId).toList(),
        owed.stream().map(Invoice::finalizedAt).toList());
  }

  /** How many invoices wait to be mirrored (due or not). */
  public long backlog() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return MirrorRepository.backlog(connection);
    }
  }

  /**
   * Sends the rows due, each claimed and settled in its own short transaction, none open during
   * the calls. The run stops at the first row Stripe could not be reached for.
   */
  public Run mirrorDue(Clock clock) throws SQLException {
    int sent = 0;
    int failed = 0;
    int voided = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Instant now = clock.instant();
      Optional<MirrorClaim> claimed =
          Transactions.inTransaction(
              dataSource, c -> MirrorRepository.claim(c, now.plus(LEASE), now));
      if (claimed.isEmpty()) {
        break;
      }
      MirrorClaim claim = claimed.get();
      Outcome outcome = send(claim, now);
      switch (outcome.state()) {
        case "sent" -> sent++;
        case "failed" -> failed++;
        case "void" -> voided++;
        default -> deferred++;
      }
      settle(claim, outcome, now);
      if (outcome.deferred()) {
        break;
      }
    }
    return new Run(sent, failed, voided, deferred);
  }

  /** The mirror sent; an invoice no longer open (paid or voided meanwhile) is never sent. */
  private Outcome send(MirrorClaim claim, Instant now) throws SQLException {
    boolean open =
        claim.invoiceStatus() == InvoiceStatus.SENT
            || claim.invoiceStatus() == InvoiceStatus.OVERDUE;
    if (!open && !claim.handsCreditBack()) {
      return new Outcome("void", null, "invoice is " + claim.invoiceStatus().value(), false);
    }
    if (claim.items().isEmpty()) {
      // its plan fee alone: the Stripe Subscription collects it, nothing is left for an invoice
      return new Outcome("paid", null, null, false);
    }
    String customer = claim.customer();
    if (customer == null) {
      Optional<String> found;
      try {
        found = gateway.customerOf(customers, claim.orgId());
      } catch (StripeFailure e) {
        return Outcome.deferred("no Stripe customer yet: " + e.getMessage());
      }
      if (found.isEmpty()) {
        return Outcome.deferred("no STRIPE_SECRET_KEY");
      }
      customer = found.get();
    }
    return gateway.send(claim.mirror(customer), now);
  }

  private void settle(MirrorClaim claim, Outcome outcome, Instant now) throws SQLException {
    Instant next = outcome.deferred() ? RetrySchedule.afterOutage(claim.attempts(), now) : now;
    Optional<Invoice> paid =
        Transactions.inTransaction(
            dataSource,
            c -> {
              boolean settled =
                  MirrorRepository.settle(
                      c,
                      claim,
                      outcome.state(),
                      outcome.stripeInvoiceId(),
                      outcome.error(),
                      next,
                      now);
              if (!settled || !"paid".equals(outcome.state())) {
                return Optional.<Invoice>empty();
              }
              String note =
                  "its plan fee is collected by Stripe subscription %s; nothing else to collect"
                      .formatted(claim.subscriptionId());
              return invoices.payInTransaction(c, claim.invoiceId(), note, now, BY_COLLECTION);
            });
    paid.ifPresent(invoices::announce);
    if (outcome.deferred()) {
      log.warn("mirroring invoice {} deferred: {}", claim.invoiceId(), outcome.error());
    } else if (outcome.error() != null) {
      log.warn("mirroring invoice {}: {} {}", claim.invoiceId(), outcome.state(), outcome.error());
    } else {
      log.info(
          "mirroring invoice {}: {} as {}",
          claim.invoiceId(),
          outcome.state(),
          outcome.stripeInvoiceId());
    }
  }

  /** What the Stripe invoice mirroring our invoice asks Stripe to collect, once claimed. */
  public Optional<BigDecimal> amountOf(Connection c, long invoiceId) throws SQLException {
    return MirrorRepository.amountOf(c, invoiceId);
  }

  /**
   * {@code invoice.paid} of the Stripe invoice mirroring ours, in the webhook's transaction: the
   * row {@code paid} (final), with the Stripe invoice's id.
   */
  public void paid(
      Connection c, long invoiceId, String stripeInvoiceId, Instant eventAt, Instant now)
      throws SQLException {
    MirrorRepository.paid(c, invoiceId, stripeInvoiceId, eventAt, now);
  }

  /**
   * {@code invoice.payment_failed}, in the webhook's transaction: the row {@code failed} with why,
   * unless paid already or a later event was applied; whether it changed.
   */
  public boolean failed(
      Connection c,
      long invoiceId,
      String stripeInvoiceId,
      String why,
      Instant eventAt,
      Instant now)
      throws SQLException {
    return MirrorRepository.failed(c, invoiceId, stripeInvoiceId, why, eventAt, now);
  }
}
