package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentSearchParams;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invoice collection through Stripe, a durable queue in {@code billing_stripe_collections} (V19,
 * V22, V23). Finalizing an invoice with a positive total only inserts its first attempt, in the
 * finalization's transaction, so a Stripe outage never holds up invoicing. The collect-payments
 * job works the due attempts off, each claimed in a short transaction
 * ({@code FOR UPDATE SKIP LOCKED}: nodes share the work) that leases it (due again after
 * {@link #LEASE}, so a node dying mid-call leaves it to be taken again), then Stripe is called
 * with no connection held, then the outcome is settled in a second transaction, only while the
 * lease is still its own. It charges a PaymentIntent (off session, confirmed, idempotency key
 * {@code invoice-<id>-attempt-<n>}) to the default payment method the webhook keeps for the
 * customer, or else Stripe's {@code invoice_settings.default_payment_method}; the method and
 * amount chosen at the first try are stored on the attempt and every later try sends exactly
 * those. Stripe unreachable after stripe-java's retries leaves the attempt pending with a
 * backoff, to be sent again with the same key (Stripe answers a repeated key with the first
 * PaymentIntent, so none is created twice); Stripe forgets a key after 24 hours, so a try 23
 * hours or more after the first was sent (V23 {@code first_sent_at}) first searches Stripe for
 * the attempt's PaymentIntent and settles from the one found, sending only when there is none. A
 * PaymentIntent Stripe answers {@code succeeded} is recorded and its invoice paid at once, as
 * the webhook does ({@link PaymentSuccesses}); a decline, or one that needs the customer, fails
 * the attempt and queues the next one per {@code paymentRetryDays}, or at once when the customer
 * has replaced the declined card as the default meanwhile.
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

  /** How long a claimed attempt is its run's: longer than the calls' timeouts and retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

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

  // leases the next due attempt: due again only once the lease is over (a node that died)
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c
          SET due_at = :lease_end, tries = c.tries + 1, updated_at = :now
          FROM billing_invoices i LEFT JOIN billing_stripe_customers s ON s.account_id = i.user_id
          WHERE i.id = c.invoice_id AND (c.invoice_id, c.attempt) = (
              SELECT invoice_id, attempt FROM billing_stripe_collections
              WHERE state = 'pending' AND due_at <= :now
              ORDER BY due_at, invoice_id, attempt
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
          RETURNING c.invoice_id, c.attempt, c.tries, i.user_id, i.status, i.total, i.currency,
              i.finalized_at, c.payment_method, c.amount_minor, c.first_sent_at, s.customer_id,
              s.default_payment_method""");

  private static final NamedSql CHOSEN =
      leased("payment_method = :method, amount_minor = :amount, first_sent_at = :now");

  // due_at back from the lease's end to when it was sent
  private static final NamedSql SETTLE =
      leased(
          "state = :state, last_error = :error, payment_intent_id = :payment_intent_id,"
              + " due_at = :now");

  private static final NamedSql DEFER = leased("due_at = :due_at, last_error = :error");

  // the attempt that sent this PaymentIntent and is waiting for its outcome, or the attempt
  // whose call is under way or was never answered (pending, tried): Stripe made the
  // PaymentIntent under its key, and the row lock orders this with the call's settling
  private static final NamedSql DECLINED_LATER =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c
          SET state = 'failed', last_error = :error, payment_intent_id = :payment_intent_id,
              due_at = CASE WHEN c.state = 'pending' THEN :now ELSE c.due_at END, updated_at = :now
          FROM billing_invoices i
          WHERE i.id = c.invoice_id AND c.invoice_id = :invoice_id AND c.attempt = :attempt
            AND (c.state = 'sent' AND c.payment_intent_id = :payment_intent_id
              OR c.state = 'pending' AND c.tries > 0 AND c.payment_intent_id IS NULL)
          RETURNING i.finalized_at""");

  // a new default payment method: an attempt of an open invoice of the account never claimed
  // (so nothing chosen, nothing sent) is due now, to be charged with it at once
  private static final NamedSql DUE_NOW_WITH_NEW_METHOD =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c SET due_at = :now, updated_at = :now
          FROM billing_invoices i
          WHERE i.id = c.invoice_id AND i.user_id = :account AND i.status IN ('sent', 'overdue')
            AND c.state = 'pending' AND c.tries = 0 AND c.due_at > :now""");

  // a new default payment method: one more attempt, due now, for each open invoice of the
  // account no attempt is pending or waiting for
  private static final NamedSql RETRY_WITH_NEW_METHOD =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
              updated_at)
          SELECT i.id, coalesce(max(c.attempt), 0) + 1, :now, :now, :now
          FROM billing_invoices i JOIN billing_stripe_collections c ON c.invoice_id = i.id
          WHERE i.user_id = :account AND i.status IN ('sent', 'overdue') AND i.total > 0
          GROUP BY i.id
          HAVING count(*) FILTER (WHERE c.state IN ('pending', 'sent')) = 0
          ON CONFLICT DO NOTHING""");

  // the attempt charged a card that is no longer the account's kept default: the customer gave
  // another since the attempt chose
  private static final NamedSql CARD_CHANGED =
      NamedSql.of(
          """
          SELECT 1 FROM billing_stripe_collections c
          JOIN billing_invoices i ON i.id = c.invoice_id
          JOIN billing_stripe_customers s ON s.account_id = i.user_id
          WHERE c.invoice_id = :invoice_id AND c.attempt = :attempt
            AND s.default_payment_method <> c.payment_method""");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_stripe_collections WHERE state = 'pending'");

  /**
   * An update of a claimed attempt that holds only while the claim's lease does: the attempt
   * still pending and not claimed again since ({@code tries} as the claim left it).
   */
  private static NamedSql leased(String set) {
    return NamedSql.of(
        "UPDATE billing_stripe_collections SET "
            + set
            + ", updated_at = :now"
            + " WHERE invoice_id = :invoice_id AND attempt = :attempt AND state = 'pending'"
            + " AND tries = :tries");
  }

  /** A claimed attempt (its lease: {@code tries}), what it charges and whom. */
  private record Attempt(
      long invoiceId,
      int number,
      int tries,
      String accountId,
      InvoiceStatus invoiceStatus,
      BigDecimal total,
      Currency currency,
      Instant finalizedAt,
      String chosenMethod,
      Long chosenAmount,
      Instant firstSentAt,
      String customer,
      String customerDefault) {

    String idempotencyKey() {
      return "invoice-%d-attempt-%d".formatted(invoiceId, number);
    }
  }

  /**
   * How an attempt ended: its new state, or pending again when {@code deferred}; the
   * PaymentIntent Stripe answered with, if any.
   */
  private record Outcome(
      String state, String error, PaymentIntent intent, String paymentIntentId, boolean deferred) {

    static Outcome settled(String state, String error, String paymentIntentId) {
      return new Outcome(state, error, null, paymentIntentId, false);
    }

    static Outcome answered(String state, String error, PaymentIntent intent) {
      return new Outcome(state, error, intent, intent.getId(), false);
    }

    static Outcome deferred(String error) {
      return new Outcome("pending", error, null, null, true);
    }
  }

  private final DataSource dataSource;
  private final StripeClients clients;
  private final PaymentSuccesses successes;
  private final Supplier<BillingConfig> config;

  public StripeCollections(
      DataSource dataSource,
      StripeClients clients,
      PaymentSuccesses successes,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.clients = clients;
    this.successes = successes;
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

  /**
   * The account's customer has a new default payment method (the webhook's transaction, the
   * caller's): each of its open invoices gets an attempt due at once, to be charged with it: its
   * pending attempt never claimed yet is moved to now, and one with no attempt pending or waiting
   * for Stripe gets one more. An attempt already claimed keeps its card (its key is sent with
   * it); if that card is declined, the next is due at once ({@link #queueRetry}). Bounded by what
   * the customer does; only while stripeEnabled.
   *
   * @return how many attempts were made due now
   */
  public int newPaymentMethod(Connection c, String accountId, Instant now) throws SQLException {
    if (!config.get().stripeEnabled()) {
      return 0;
    }
    int moved = DUE_NOW_WITH_NEW_METHOD.bind("account", accountId).bind("now", now).update(c);
    int queued = RETRY_WITH_NEW_METHOD.bind("account", accountId).bind("now", now).update(c);
    if (moved + queued > 0) {
      log.info(
          "{} invoices of {} due for collection with a new payment method",
          moved + queued,
          accountId);
    }
    return moved + queued;
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
   * Sends the attempts due, each claimed and settled in its own short transaction,
   * none open during the call. The run stops at the first attempt Stripe could not be reached
   * for: the others would only wait out the same outage.
   */
  public Run collectDue(Clock clock) throws SQLException {
    int sent = 0;
    int failed = 0;
    int cancelled = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Instant now = clock.instant(); // each lease from its own claim: a run's calls take time
      Optional<Attempt> claimed = Transactions.inTransaction(dataSource, c -> claim(c, now));
      if (claimed.isEmpty()) {
        break;
      }
      Outcome outcome = charge(claimed.get(), now);
      switch (outcome.state()) {
        case "sent" -> sent++;
        case "failed" -> failed++;
        case "cancelled" -> cancelled++;
        default -> deferred++;
      }
      settle(claimed.get(), outcome, now);
      if (outcome.deferred()) {
        break;
      }
    }
    return new Run(sent, failed, cancelled, deferred);
  }

  /** The outcome, in a transaction of its own, if the attempt is still this claim's. */
  private void settle(Attempt attempt, Outcome outcome, Instant now) throws SQLException {
    NamedSql.Binding change =
        outcome.deferred()
            ? deferral(attempt, outcome, now)
            : SETTLE
                .bind("state", outcome.state())
                .bind("error", outcome.error())
                .bind("payment_intent_id", outcome.paymentIntentId())
                .bind("now", now);
    Optional<Invoice> paid =
        Transactions.inTransaction(
            dataSource,
            c -> {
              if (!leased(attempt, change, c)) {
                return Optional.<Invoice>empty();
              }
              if (outcome.state().equals("failed")) {
                queueRetry(c, attempt.invoiceId(), attempt.number(), attempt.finalizedAt(), now);
              }
              return succeeded(outcome.intent())
                  ? recordSuccess(c, attempt, outcome.intent(), now)
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

  private static NamedSql.Binding deferral(Attempt attempt, Outcome outcome, Instant now) {
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt.tries() - 1, 10));
    return DEFER
        .bind("due_at", now.plus(backoff.compareTo(MAX_BACKOFF) < 0 ? backoff : MAX_BACKOFF))
        .bind("error", outcome.error())
        .bind("now", now);
  }

  /**
   * Runs a statement guarded by the attempt's lease; false (logged) when the lease is lost: the
   * webhook failed the attempt meanwhile, or it was claimed again after the lease ran out.
   */
  private static boolean leased(Attempt attempt, NamedSql.Binding statement, Connection c)
      throws SQLException {
    int changed =
        statement
            .bind("invoice_id", attempt.invoiceId())
            .bind("attempt", attempt.number())
            .bind("tries", attempt.tries())
            .update(c);
    if (changed == 0) {
      log.info(
          "collecting invoice {} (attempt {}): settled meanwhile by a webhook or another claim",
          attempt.invoiceId(),
          attempt.number());
    }
    return changed == 1;
  }

  private static boolean succeeded(PaymentIntent intent) {
    return intent != null && "succeeded".equals(intent.getStatus());
  }

  /** Stripe's answer {@code succeeded}: the payment recorded and the invoice paid, once. */
  private Optional<Invoice> recordSuccess(
      Connection c, Attempt attempt, PaymentIntent intent, Instant now) throws SQLException {
    Optional<Currency> currency =
        Money.currency(
            intent.getCurrency() == null ? null : intent.getCurrency().toUpperCase(Locale.ROOT));
    if (currency.isEmpty() || intent.getAmountReceived() == null) {
      return Optional.empty(); // the webhook records it
    }
    return successes.record(
        c,
        new PaymentSuccesses.Collected(
            attempt.invoiceId(), attempt.accountId(), attempt.currency(), attempt.total()),
        new PaymentSuccesses.Received(
            intent.getId(),
            intent.getLatestCharge(),
            Money.fromMinorUnits(intent.getAmountReceived(), currency.get()),
            currency.get(),
            intent.getCreated() == null ? now : Instant.ofEpochSecond(intent.getCreated())),
        now,
        now);
  }

  /**
   * The next attempt, {@code paymentRetryDays} after the first, unless that was the last; due at
   * once, even after the last, when the failed attempt charged a card the customer has replaced
   * as the default meanwhile (each such attempt needs another new card: bounded).
   */
  private void queueRetry(
      Connection c, long invoiceId, int failed, Instant finalizedAt, Instant now)
      throws SQLException {
    if (cardChanged(c, invoiceId, failed)) {
      queue(c, invoiceId, failed + 1, now, now);
      return;
    }
    List<Integer> days = config.get().paymentRetryDays();
    if (failed > days.size()) {
      return;
    }
    Instant due = finalizedAt.plus(Duration.ofDays(days.get(failed - 1)));
    queue(c, invoiceId, failed + 1, due, now);
  }

  private static boolean cardChanged(Connection c, long invoiceId, int attempt)
      throws SQLException {
    try (PreparedStatement statement =
            CARD_CHANGED.bind("invoice_id", invoiceId).bind("attempt", attempt).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }

  /** Charges the attempt, with no connection held; never throws for what Stripe answers. */
  private Outcome charge(Attempt attempt, Instant now) throws SQLException {
    if (attempt.invoiceStatus() != InvoiceStatus.SENT
        && attempt.invoiceStatus() != InvoiceStatus.OVERDUE) {
      return Outcome.settled("cancelled", "invoice is " + attempt.invoiceStatus().value(), null);
    }
    Optional<StripeClient> stripe = clients.client();
    if (stripe.isEmpty()) {
      return Outcome.deferred("no STRIPE_SECRET_KEY");
    }
    if (attempt.customer() == null) {
      return Outcome.settled("failed", "no Stripe customer", null);
    }
    try {
      String method = attempt.chosenMethod();
      Long amount = attempt.chosenAmount();
      if (method == null) {
        method = defaultMethod(stripe.get(), attempt);
        if (method == null) {
          return Outcome.settled("failed", "no default payment method", null);
        }
        amount = Money.toMinorUnits(attempt.total(), attempt.currency());
        if (!chosen(attempt, method, amount, now)) {
          return Outcome.deferred("claimed by another run"); // settles nothing: not ours
        }
      }
      Optional<PaymentIntent> earlier =
          keyForgotten(attempt, now) ? sentEarlier(stripe.get(), attempt) : Optional.empty();
      PaymentIntent intent =
          earlier.isPresent() ? earlier.get() : create(stripe.get(), attempt, method, amount);
      return switch (intent.getStatus()) {
        case "succeeded", "processing" -> Outcome.answered("sent", null, intent);
        case "requires_payment_method" -> Outcome.answered("failed", declined(intent), intent);
        default -> Outcome.answered("failed", "PaymentIntent " + intent.getStatus(), intent);
      };
    } catch (CardException | InvalidRequestException e) {
      // a decline (or a charge Stripe refuses): this attempt is over, the next is queued
      StripeError error = e.getStripeError();
      PaymentIntent intent = error == null ? null : error.getPaymentIntent();
      String why = error == null ? e.getMessage() : error.getCode() + ": " + error.getMessage();
      return Outcome.settled("failed", why, intent == null ? null : intent.getId());
    } catch (IdempotencyException e) {
      // the key was first sent with other parameters (before they were kept on the attempt):
      // sending it again can only be refused again, so this attempt is over
      return Outcome.settled("failed", "idempotency_error: " + e.getMessage(), null);
    } catch (ArithmeticException e) {
      // a total finer than the currency's minor unit: never sent, and never blocking the queue
      return Outcome.settled("failed", "total is not a whole number of minor units", null);
    } catch (StripeException e) {
      // unreachable, 5xx, rate-limited or refused key after the retries: Stripe may yet answer
      return Outcome.deferred(e.getMessage());
    }
  }

  /** The default payment method the webhook keeps for the customer, else Stripe's. */
  private static String defaultMethod(StripeClient stripe, Attempt attempt) throws StripeException {
    if (attempt.customerDefault() != null) {
      return attempt.customerDefault();
    }
    var settings = stripe.v1().customers().retrieve(attempt.customer()).getInvoiceSettings();
    return settings == null ? null : settings.getDefaultPaymentMethod();
  }

  /**
   * Whether Stripe may have forgotten the attempt's key: it keeps one 24 hours, and this try is
   * {@link StripeCustomers#IDEMPOTENCY_WINDOW} or more after the first was sent.
   */
  private static boolean keyForgotten(Attempt attempt, Instant now) {
    return attempt.firstSentAt() != null
        && !now.isBefore(attempt.firstSentAt().plus(StripeCustomers.IDEMPOTENCY_WINDOW));
  }

  /**
   * The PaymentIntent an earlier try of the attempt created, found by the metadata it was sent
   * with (Stripe's search): the oldest, if there are several.
   */
  private static Optional<PaymentIntent> sentEarlier(StripeClient stripe, Attempt attempt)
      throws StripeException {
    String query =
        "metadata['invoice_id']:'%d' AND metadata['attempt']:'%d'"
            .formatted(attempt.invoiceId(), attempt.number());
    Optional<PaymentIntent> found =
        stripe
            .v1()
            .paymentIntents()
            .search(PaymentIntentSearchParams.builder().setQuery(query).build())
            .getData()
            .stream()
            .min(
                Comparator.comparing(
                        PaymentIntent::getCreated,
                        Comparator.nullsLast(Comparator.<Long>naturalOrder()))
                    .thenComparing(PaymentIntent::getId));
    found.ifPresent(
        intent ->
            log.info(
                "collecting invoice {} (attempt {}): found {} sent more than {} ago",
                attempt.invoiceId(),
                attempt.number(),
                intent.getId(),
                StripeCustomers.IDEMPOTENCY_WINDOW));
    return found;
  }

  /** Keeps the method and amount of the attempt's first try, for every try; false if not ours. */
  private boolean chosen(Attempt attempt, String method, long amount, Instant now)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        c ->
            leased(
                attempt, CHOSEN.bind("method", method).bind("amount", amount).bind("now", now), c));
  }

  private static PaymentIntent create(
      StripeClient stripe, Attempt attempt, String method, long amount) throws StripeException {
    PaymentIntentCreateParams params =
        PaymentIntentCreateParams.builder()
            .setAmount(amount)
            .setCurrency(attempt.currency().getCurrencyCode().toLowerCase(Locale.ROOT))
            .setCustomer(attempt.customer())
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
    try (PreparedStatement statement =
            CLAIM.bind("lease_end", now.plus(LEASE)).bind("now", now).prepare(c);
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
              rs.getTimestamp("finalized_at").toInstant(),
              rs.getString("payment_method"),
              rs.getObject("amount_minor", Long.class),
              instant(rs.getTimestamp("first_sent_at")),
              rs.getString("customer_id"),
              rs.getString("default_payment_method")));
    }
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
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
