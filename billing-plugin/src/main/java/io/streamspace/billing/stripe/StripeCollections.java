package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.Transactions;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invoice collection through Stripe, a durable queue in {@code billing_stripe_collections}
 * (V19). Finalizing an invoice with a positive total only inserts its first attempt, in the
 * finalization's transaction, so a Stripe outage never holds up invoicing. The collect-payments
 * job works the due attempts off, one row lock each ({@code FOR UPDATE SKIP LOCKED}: nodes share
 * the work), charging the customer's default payment method with a PaymentIntent (off session,
 * confirmed, idempotency key {@code invoice-<id>-attempt-<n>}). Stripe unreachable after
 * stripe-java's retries leaves the attempt pending with a backoff, to be sent again with the same
 * key (Stripe answers a repeated key with the first PaymentIntent, so none is created twice); a
 * decline fails the attempt and queues the next one per {@code paymentRetryDays}.
 */
public final class StripeCollections {

  /** What one run did with the attempts it took. */
  public record Run(int sent, int failed, int cancelled, int deferred) {
    public int touched() {
      return sent + failed + cancelled + deferred;
    }
  }

  /** The most attempts one run takes, so a run ends. */
  static final int BATCH = 100;

  static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
  static final Duration MAX_BACKOFF = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(StripeCollections.class);

  private static final NamedSql ENQUEUE =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
              updated_at)
          VALUES (:invoice_id, :attempt, :due_at, :now, :now)
          ON CONFLICT DO NOTHING""");

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          SELECT c.invoice_id, c.attempt, c.tries, i.user_id, i.status, i.total, i.currency,
              i.finalized_at
          FROM billing_stripe_collections c JOIN billing_invoices i ON i.id = c.invoice_id
          WHERE c.state = 'pending' AND c.due_at <= :now
          ORDER BY c.due_at, c.invoice_id, c.attempt
          LIMIT 1
          FOR UPDATE OF c SKIP LOCKED""");

  private static final NamedSql SETTLE =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections
          SET state = :state, last_error = :error, payment_intent_id = :payment_intent_id,
              updated_at = :now
          WHERE invoice_id = :invoice_id AND attempt = :attempt""");

  private static final NamedSql DEFER =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections
          SET tries = tries + 1, due_at = :due_at, last_error = :error, updated_at = :now
          WHERE invoice_id = :invoice_id AND attempt = :attempt""");

  // only the attempt that sent this PaymentIntent and is still waiting for its outcome
  private static final NamedSql DECLINED_LATER =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c
          SET state = 'failed', last_error = :error, updated_at = :now
          FROM billing_invoices i
          WHERE i.id = c.invoice_id AND c.invoice_id = :invoice_id AND c.attempt = :attempt
            AND c.state = 'sent' AND c.payment_intent_id = :payment_intent_id
          RETURNING i.finalized_at""");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_stripe_collections WHERE state = 'pending'");

  /** A claimed attempt and what it charges. */
  private record Attempt(
      long invoiceId,
      int number,
      int tries,
      String accountId,
      InvoiceStatus invoiceStatus,
      BigDecimal total,
      Currency currency,
      Instant finalizedAt) {

    String idempotencyKey() {
      return "invoice-%d-attempt-%d".formatted(invoiceId, number);
    }
  }

  /** How an attempt ended: its new state, or pending again when {@code deferred}. */
  private record Outcome(String state, String error, String paymentIntentId, boolean deferred) {

    static Outcome settled(String state, String error, String paymentIntentId) {
      return new Outcome(state, error, paymentIntentId, false);
    }

    static Outcome deferred(String error) {
      return new Outcome("pending", error, null, true);
    }
  }

  private final DataSource dataSource;
  private final StripeCustomers customers;
  private final StripeClients clients;
  private final Supplier<BillingConfig> config;

  public StripeCollections(
      DataSource dataSource,
      StripeCustomers customers,
      StripeClients clients,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.customers = customers;
    this.clients = clients;
    this.config = config;
  }

  /**
   * Queues the first attempt to collect a just-finalized invoice, due at once, in the caller's
   * (the finalization's) transaction: only while stripeEnabled, and only a positive total.
   */
  public void enqueue(Connection connection, Invoice invoice) throws SQLException {
    if (!config.get().stripeEnabled()
        || invoice.status() != InvoiceStatus.SENT
        || invoice.total().signum() <= 0) {
      return;
    }
    queue(connection, invoice.id(), 1, invoice.finalizedAt(), invoice.finalizedAt());
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
    try (PreparedStatement statement =
            DECLINED_LATER
                .bind("error", why)
                .bind("now", now)
                .bind("invoice_id", invoiceId)
                .bind("attempt", attempt)
                .bind("payment_intent_id", paymentIntentId)
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
      queueRetry(c, invoiceId, attempt, rs.getTimestamp(1).toInstant(), now);
    }
    log.info("collecting invoice {} (attempt {}): declined by Stripe: {}", invoiceId, attempt, why);
    return true;
  }

  /** How many attempts wait to be sent (due or not). */
  public long backlog() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = BACKLOG.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Sends the attempts due at {@code now}, each in its own transaction holding its row lock
   * across the call. The run stops at the first attempt Stripe could not be reached for: the
   * others would only wait out the same outage.
   */
  public Run collectDue(Instant now) throws SQLException {
    int sent = 0;
    int failed = 0;
    int cancelled = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Optional<Outcome> outcome = Transactions.inTransaction(dataSource, c -> collectNext(c, now));
      if (outcome.isEmpty()) {
        break;
      }
      switch (outcome.get().state()) {
        case "sent" -> sent++;
        case "failed" -> failed++;
        case "cancelled" -> cancelled++;
        default -> deferred++;
      }
      if (outcome.get().deferred()) {
        break;
      }
    }
    return new Run(sent, failed, cancelled, deferred);
  }

  private Optional<Outcome> collectNext(Connection c, Instant now) throws SQLException {
    Optional<Attempt> claimed = claim(c, now);
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    Attempt attempt = claimed.get();
    Outcome outcome = charge(attempt);
    if (outcome.deferred()) {
      Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt.tries(), 10));
      DEFER
          .bind("due_at", now.plus(backoff.compareTo(MAX_BACKOFF) < 0 ? backoff : MAX_BACKOFF))
          .bind("error", outcome.error())
          .bind("now", now)
          .bind("invoice_id", attempt.invoiceId())
          .bind("attempt", attempt.number())
          .update(c);
      log.warn(
          "collecting invoice {} (attempt {}) deferred: {}",
          attempt.invoiceId(),
          attempt.number(),
          outcome.error());
      return Optional.of(outcome);
    }
    SETTLE
        .bind("state", outcome.state())
        .bind("error", outcome.error())
        .bind("payment_intent_id", outcome.paymentIntentId())
        .bind("now", now)
        .bind("invoice_id", attempt.invoiceId())
        .bind("attempt", attempt.number())
        .update(c);
    if (outcome.state().equals("failed")) {
      queueRetry(c, attempt.invoiceId(), attempt.number(), attempt.finalizedAt(), now);
    }
    log.info(
        "collecting invoice {} (attempt {}): {} {}",
        attempt.invoiceId(),
        attempt.number(),
        outcome.state(),
        outcome.error() == null ? outcome.paymentIntentId() : outcome.error());
    return Optional.of(outcome);
  }

  /** The next attempt, {@code paymentRetryDays} after the first, unless that was the last. */
  private void queueRetry(
      Connection c, long invoiceId, int failed, Instant finalizedAt, Instant now)
      throws SQLException {
    List<Integer> days = config.get().paymentRetryDays();
    if (failed > days.size()) {
      return;
    }
    Instant due = finalizedAt.plus(Duration.ofDays(days.get(failed - 1)));
    queue(c, invoiceId, failed + 1, due, now);
  }

  /** Charges the attempt; never throws for what Stripe answers. */
  private Outcome charge(Attempt attempt) throws SQLException {
    if (attempt.invoiceStatus() != InvoiceStatus.SENT
        && attempt.invoiceStatus() != InvoiceStatus.OVERDUE) {
      return Outcome.settled("cancelled", "invoice is " + attempt.invoiceStatus().value(), null);
    }
    Optional<StripeClient> stripe = clients.client();
    if (stripe.isEmpty()) {
      return Outcome.deferred("no STRIPE_SECRET_KEY");
    }
    Optional<String> customer = customers.find(attempt.accountId());
    if (customer.isEmpty()) {
      return Outcome.settled("failed", "no Stripe customer", null);
    }
    try {
      var settings = stripe.get().v1().customers().retrieve(customer.get()).getInvoiceSettings();
      String method = settings == null ? null : settings.getDefaultPaymentMethod();
      if (method == null) {
        return Outcome.settled("failed", "no default payment method", null);
      }
      PaymentIntent intent = create(stripe.get(), attempt, customer.get(), method);
      return "requires_payment_method".equals(intent.getStatus())
          ? Outcome.settled("failed", declined(intent), intent.getId())
          : Outcome.settled("sent", null, intent.getId());
    } catch (CardException | InvalidRequestException e) {
      // a decline (or a charge Stripe refuses): this attempt is over, the next is queued
      StripeError error = e.getStripeError();
      PaymentIntent intent = error == null ? null : error.getPaymentIntent();
      String why = error == null ? e.getMessage() : error.getCode() + ": " + error.getMessage();
      return Outcome.settled("failed", why, intent == null ? null : intent.getId());
    } catch (ArithmeticException e) {
      // a total finer than the currency's minor unit: never sent, and never blocking the queue
      return Outcome.settled("failed", "total is not a whole number of minor units", null);
    } catch (StripeException e) {
      // unreachable, 5xx, rate-limited or refused key after the retries: Stripe may yet answer
      return Outcome.deferred(e.getMessage());
    }
  }

  private static PaymentIntent create(
      StripeClient stripe, Attempt attempt, String customer, String method) throws StripeException {
    PaymentIntentCreateParams params =
        PaymentIntentCreateParams.builder()
            .setAmount(Money.toMinorUnits(attempt.total(), attempt.currency()))
            .setCurrency(attempt.currency().getCurrencyCode().toLowerCase(Locale.ROOT))
            .setCustomer(customer)
            .setPaymentMethod(method)
            .setOffSession(true)
            .setConfirm(true)
            .putMetadata("account_id", attempt.accountId())
            .putMetadata("invoice_id", Long.toString(attempt.invoiceId()))
            .putMetadata("attempt", Integer.toString(attempt.number()))
            .build();
    return stripe
        .v1()
        .paymentIntents()
        .create(
            params, RequestOptions.builder().setIdempotencyKey(attempt.idempotencyKey()).build());
  }

  private static String declined(PaymentIntent intent) {
    var error = intent.getLastPaymentError();
    return error == null || error.getMessage() == null ? "payment declined" : error.getMessage();
  }

  private static Optional<Attempt> claim(Connection c, Instant now) throws SQLException {
    try (PreparedStatement statement = CLAIM.bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Attempt(
              rs.getLong("invoice_id"),
              rs.getInt("attempt"),
              rs.getInt("tries"),
              rs.getString("user_id"),
              InvoiceStatus.of(rs.getString("status")),
              rs.getBigDecimal("total"),
              Currency.getInstance(rs.getString("currency")),
              rs.getTimestamp("finalized_at").toInstant()));
    }
  }

  private static void queue(Connection c, long invoiceId, int attempt, Instant due, Instant now)
      throws SQLException {
    ENQUEUE
        .bind("invoice_id", invoiceId)
        .bind("attempt", attempt)
        .bind("due_at", due)
        .bind("now", now)
        .update(c);
  }
}
