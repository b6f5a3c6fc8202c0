package io.streamspace.billing.payments.topup;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.TopUpLimits;
import io.streamspace.billing.events.TopUpFailed;
import io.streamspace.billing.prepaid.BalanceChange;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.billing.prepaid.TopUpChecks;
import io.streamspace.billing.prepaid.TopUpRule;
import io.streamspace.billing.prepaid.TopUpRules;
import io.streamspace.billing.prepaid.TopUps;
import io.streamspace.billing.stripe.ChargeOutcome;
import io.streamspace.billing.stripe.CollectionGateway;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Auto top-ups: an organization's saved payment method charged off-session when its prepaid
 * balance falls below its rule's threshold, through the invoice collection's machinery ({@link
 * CollectionGateway}: a PaymentIntent per attempt under its own idempotency key, leased claims,
 * the same backoff and retry schedule). The crossings are found by {@link TopUpChecks} (after an
 * entry that lowered a balance, and by {@link #chargeDue} each minute); each attempt is claimed in
 * a short transaction that chooses, at its first try, what it charges: what brings the balance to
 * the target (or the rule's amount), within the top-up limits and what the calendar month (in
 * the billing time zone) has left of {@code max_per_month}, counting the attempts succeeded, sent
 * or pending. Stripe is called with no connection held, and the outcome settled by {@link
 * TopUpSettlement}.
 */
public final class AutoTopUps {

  /**
   * What one run did: attempts queued, and of those it took, how each ended ({@code sent}: Stripe
   * took the charge, or is processing it).
   */
  public record Run(int queued, int sent, int failed, int cancelled, int deferred) {
    public int touched() {
      return queued + sent + failed + cancelled + deferred;
    }
  }

  /** Why an attempt charged nothing: the month's auto top-ups reached max_per_month. */
  static final String MONTHLY_CAP = "monthly_cap";

  /** Why a crossing is charged no more: every attempt of the retry schedule declined. */
  static final String DECLINED = "declined";

  /** The most attempts one run takes, so a run ends. */
  static final int BATCH = 100;

  /** How long a claimed attempt is its run's: longer than the calls' timeouts and retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

  private final DataSource dataSource;
  private final CollectionGateway gateway;
  private final TopUps topUps;
  private final TopUpSettlement settlement;
  private final Supplier<BillingConfig> config;

  /**
   * @param toppedUp told of each top-up credited, once it committed (Checkout's too: {@link
   *     #topUps})
   * @param failed told of each attempt that could not charge, once it committed
   */
  public AutoTopUps(
      DataSource dataSource,
      StripeClients clients,
      Consumer<BalanceChange> toppedUp,
      Consumer<TopUpFailed> failed,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.gateway = new CollectionGateway(clients);
    this.topUps = new TopUps(toppedUp);
    this.settlement = new TopUpSettlement(dataSource, topUps, failed, config);
    this.config = config;
  }

  /** The top-ups credited to balances, auto and Checkout alike, as they are announced. */
  public TopUps topUps() {
    return topUps;
  }

  /**
   * Checks every rule (queuing an attempt for each balance below its threshold), then charges
   * the attempts due, each claimed and settled in its own short transaction. The run stops at the
   * first attempt Stripe could not be reached for.
   */
  public Run chargeDue(Clock clock, Cause cause) throws SQLException {
    Instant start = clock.instant();
    int queued =
        Transactions.inTransaction(dataSource, c -> TopUpChecks.checkAll(c, start, month(start)));
    int sent = 0;
    int failed = 0;
    int cancelled = 0;
    int deferred = 0;
    for (int i = 0; i < BATCH; i++) {
      Instant now = clock.instant();
      Optional<Claimed> claimed = Transactions.inTransaction(dataSource, c -> claim(c, now));
      if (claimed.isEmpty()) {
        break;
      }
      Claimed attempt = claimed.get();
      TopUpCharge charge = attempt.charge();
      if (attempt.cancelled() != null) {
        settlement.cancelled(charge, attempt.cancelled(), now);
        cancelled++;
        continue;
      }
      if (charge.amount() == null) {
        settlement.capped(charge, month(now), now);
        failed++;
        continue;
      }
      ChargeOutcome outcome =
          gateway.charge(
              charge.charge(),
              (method, amount) ->
                  Transactions.inTransaction(
                      dataSource, c -> TopUpChargeRepository.methodKept(c, charge, method, now)),
              now);
      settlement.settle(charge, outcome, now, cause);
      if (outcome.deferred()) {
        deferred++;
        break;
      } else if (outcome.state().equals("failed")) {
        failed++;
      } else {
        sent++;
      }
    }
    return new Run(queued, sent, failed, cancelled, deferred);
  }

  /**
   * An attempt claimed: to charge ({@code charge.amount()} chosen), cancelled (why), or capped
   * (no amount: the month has nothing left).
   */
  private record Claimed(TopUpCharge charge, String cancelled) {}

  /**
   * Claims the next due attempt and, before its first call reached Stripe, decides it: not
   * needed (the rule removed, the organization closed, the balance at or above the threshold
   * again), or what it charges, chosen once at its first try and kept for every later one (its
   * key must carry the same amount).
   */
  private Optional<Claimed> claim(Connection c, Instant now) throws SQLException {
    Optional<TopUpCharge> claimed = TopUpChargeRepository.claim(c, now.plus(LEASE), now);
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    TopUpCharge charge = claimed.get();
    if (charge.firstSentAt() != null) {
      return Optional.of(new Claimed(charge, null)); // it may have charged: the same again
    }
    Optional<TopUpRule> rule = TopUpRules.find(c, charge.orgId());
    BigDecimal available = PrepaidLedger.balance(c, charge.orgId(), charge.currency()).available();
    String unneeded =
        rule.isEmpty()
            ? "rule_removed"
            : AccountRepository.closedAt(c, charge.orgId()) != null
                ? "organization_closed"
                : available.compareTo(rule.get().threshold()) >= 0
                    ? "balance_above_threshold"
                    : null;
    if (unneeded != null || charge.amount() != null) {
      return Optional.of(new Claimed(charge, unneeded));
    }
    LocalDate month = month(now);
    BigDecimal room =
        rule.get()
            .maxPerMonth()
            .subtract(TopUpRules.chargedIn(c, charge.orgId(), month, charge.id()));
    Optional<BigDecimal> amount =
        amount(rule.get(), available, room, config.get().topUpLimit(charge.currency()));
    if (amount.isEmpty() || !TopUpChargeRepository.chosen(c, charge, amount.get(), month, now)) {
      return Optional.of(new Claimed(charge, null));
    }
    return Optional.of(new Claimed(charge.choosing(amount.get(), month), null));
  }

  /**
   * What an attempt charges: what brings {@code available} to the target, or the rule's amount;
   * at least the top-up limit's min and at most its max; and at most {@code room}, what the month
   * has left of max_per_month. Empty when the room is below the min: the month is capped.
   */
  static Optional<BigDecimal> amount(
      TopUpRule rule, BigDecimal available, BigDecimal room, TopUpLimits.Limit limit) {
    BigDecimal needed = rule.target() != null ? rule.target().subtract(available) : rule.amount();
    BigDecimal charged = needed.max(limit.min()).min(limit.max()).min(room);
    return charged.compareTo(limit.min()) < 0 ? Optional.empty() : Optional.of(charged);
  }

  /**
   * The organization's customer has a new default payment method (the webhook's transaction): a
   * crossing that waited for one, or whose retries were declined, is charged again at the next
   * run, and a retry waiting for its day is due now.
   */
  public void newPaymentMethod(Connection c, String orgId, Instant now) throws SQLException {
    TopUpChecks.newPaymentMethod(c, orgId, now);
  }

  /**
   * {@code payment_intent.succeeded} of an auto top-up's PaymentIntent (metadata {@code
   * top_up_id}), in the event's transaction: the balance credited once, whether or not the call
   * was answered.
   */
  public void succeededAtStripe(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<TopUpCharge> charge = attemptOf(c, event);
    Long received = event.number("amount_received");
    if (charge.isPresent() && received != null) {
      settlement.succeeded(
          c,
          charge.get(),
          new ChargeOutcome.Intent(
              event.text("id"),
              "succeeded",
              event.text("currency"),
              received,
              event.text("latest_charge"),
              event.created().getEpochSecond()),
          now,
          Cause.stripe(event.id()),
          after);
    }
  }

  /**
   * {@code payment_intent.payment_failed} of an auto top-up's PaymentIntent, in the event's
   * transaction: the attempt sent fails and is followed as a decline at the call.
   */
  public void failedAtStripe(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<TopUpCharge> charge = attemptOf(c, event);
    if (charge.isEmpty()) {
      return;
    }
    String decline = event.text("last_payment_error/decline_code");
    String code = decline != null ? decline : event.text("last_payment_error/code");
    String message = event.text("last_payment_error/message");
    boolean card = "card_error".equals(event.text("last_payment_error/type"));
    settlement.declinedLater(
        c,
        charge.get().id(),
        charge.get().orgId(),
        event.text("id"),
        new ChargeOutcome.Failure(code == null ? "payment_declined" : code, card ? message : null),
        (code == null ? "" : code + ": ") + (message == null ? "payment declined" : message),
        now,
        after);
  }

  /** The attempt an auto top-up's PaymentIntent names (metadata), of the organization it names. */
  private static Optional<TopUpCharge> attemptOf(Connection c, StripeEvent event)
      throws SQLException {
    String id = event.text("metadata/top_up_id");
    String orgId = event.text("metadata/account_id");
    if (id == null || orgId == null || !id.matches("[1-9][0-9]{0,17}")) {
      return Optional.empty();
    }
    return TopUpChargeRepository.find(c, Long.parseLong(id), orgId);
  }

  /** Whether an event's PaymentIntent is an auto top-up's (metadata {@code top_up_id}). */
  public static boolean isTopUp(StripeEvent event) {
    return event.text("metadata/top_up_id") != null;
  }

  /** How many attempts wait to be sent (due or not). */
  public long backlog() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return TopUpChargeRepository.backlog(c);
    }
  }

  /** The first day of the calendar month of {@code now}, in the billing time zone. */
  private LocalDate month(Instant now) {
    return YearMonth.from(now.atZone(config.get().billingTimeZone())).atDay(1);
  }
}
