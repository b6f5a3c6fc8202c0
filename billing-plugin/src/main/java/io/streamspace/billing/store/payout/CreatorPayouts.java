package io.streamspace.billing.store.payout;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.TransferGateway;
import io.streamspace.billing.stripe.TransferGateway.Payout;
import io.streamspace.billing.stripe.TransferOutcome;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creators' payouts through Stripe Connect transfers. For a closed month (ended in the billing
 * time zone) the payouts due ({@link PayoutsDue}) are queued, one row per creator, month and
 * currency, so a second run of the month adds nothing. Then each due payout is sent as the
 * collection queue sends invoices: claimed in a short transaction ({@code FOR UPDATE SKIP
 * LOCKED}) that counts the try and leases it (due again after {@link #LEASE}, so a node dying
 * mid-call leaves it to be taken again), the transfer made with no connection held ({@link
 * TransferGateway}, under the payout's idempotency key), then settled in a second transaction
 * only while the lease is still its own. A failed try is visible on the payout (attempts, last
 * error) and tried again on the {@link PayoutBackoff}; a payout whose creator has set no
 * connected account waits, saying so, and is sent at the first run after they set one.
 */
public final class CreatorPayouts {

  /** What one run did: payouts queued, and of those tried, paid and failed. */
  public record Run(int queued, int paid, int failed, String note) {
    public int touched() {
      return queued + paid + failed;
    }
  }

  /** A Stripe connected account id, as Stripe writes them. */
  public static final Pattern ACCOUNT = Pattern.compile("acct_[A-Za-z0-9]{1,250}");

  /** The most payouts one run sends, so a run ends. */
  static final int BATCH = 500;

  /** How long a claimed payout is its run's: longer than the call's timeouts and retries. */
  static final Duration LEASE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(CreatorPayouts.class);

  private final DataSource dataSource;
  private final PayoutsDue source;
  private final TransferGateway gateway;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CreatorPayouts(
      DataSource dataSource,
      PayoutsDue source,
      StripeClients clients,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.source = source;
    this.gateway = new TransferGateway(clients);
    this.config = config;
    this.clock = clock;
  }

  /** The last month that has ended in the billing time zone. */
  public YearMonth lastClosedMonth() {
    return YearMonth.now(clock.withZone(config.get().billingTimeZone())).minusMonths(1);
  }

  /** Whether the month has ended in the billing time zone. */
  public boolean closed(YearMonth period) {
    return !period.isAfter(lastClosedMonth());
  }

  /**
   * Queues the closed month's payouts due, then sends every payout due now (this month's and
   * earlier ones' retries).
   *
   * @throws IllegalArgumentException for a month that has not ended
   */
  public Run run(YearMonth period, Cause cause) throws SQLException {
    int queued = queue(period, cause);
    Run sent = sendDue(cause);
    return new Run(queued, sent.paid(), sent.failed(), sent.note());
  }

  /**
   * Queues the payouts due for the closed month, each unless the month has it already, with
   * {@code creator_payout.queued} in the audit trail; in one transaction with the read of what
   * is due.
   *
   * @return how many were queued now
   */
  public int queue(YearMonth period, Cause cause) throws SQLException {
    if (!closed(period)) {
      throw new IllegalArgumentException(period + " has not ended in the billing time zone");
    }
    Instant now = clock.instant();
    return Transactions.inTransaction(
        dataSource,
        c -> {
          int queued = 0;
          for (PayoutsDue.Due due : source.due(c, period)) {
            if (!due.period().equals(period)) {
              throw new IllegalStateException("asked for " + period + ", given " + due);
            }
            Optional<Long> id = PayoutRows.queue(c, due, now);
            if (id.isPresent()) {
              queued++;
              AuditTrail.record(
                  c,
                  new AuditEntry(
                      now,
                      cause,
                      null,
                      AuditKinds.CREATOR_PAYOUT_QUEUED,
                      subject(id.get()),
                      null,
                      PayoutRows.one(c, id.get())));
            }
          }
          PayoutRows.markNoAccount(c);
          return queued;
        });
  }

  /**
   * Sends the payouts due now, each claimed and settled in its own short transaction; none while
   * stripeEnabled is false or no secret key is set (they wait). The run stops at the first
   * payout Stripe could not be reached for: the others would only wait out the same outage.
   */
  public Run sendDue(Cause cause) throws SQLException {
    if (!config.get().stripeEnabled()) {
      return new Run(0, 0, 0, "stripe is disabled");
    }
    if (!gateway.available()) {
      return new Run(0, 0, 0, "no STRIPE_SECRET_KEY");
    }
    int paid = 0;
    int failed = 0;
    for (int i = 0; i < BATCH; i++) {
      Instant now = clock.instant();
      Optional<Payout> claimed =
          Transactions.inTransaction(dataSource, c -> PayoutRows.claim(c, now, now.plus(LEASE)));
      if (claimed.isEmpty()) {
        break;
      }
      TransferOutcome outcome = gateway.send(claimed.get());
      if (settle(claimed.get(), outcome, cause)) {
        if (outcome.isPaid()) {
          paid++;
        } else {
          failed++;
        }
      }
      if (!outcome.isPaid() && !outcome.refused()) {
        break;
      }
    }
    return new Run(0, paid, failed, null);
  }

  /** Records the try's outcome while the try still owns the payout; whether it did. */
  boolean settle(Payout payout, TransferOutcome outcome, Cause cause) throws SQLException {
    Instant now = clock.instant();
    return Transactions.inTransaction(
        dataSource,
        c -> {
          if (outcome.isPaid()) {
            CreatorPayout before = PayoutRows.one(c, payout.id());
            if (!PayoutRows.paid(c, payout, outcome.transferId(), now)) {
              return false;
            }
            AuditTrail.record(
                c,
                new AuditEntry(
                    now,
                    cause,
                    null,
                    AuditKinds.CREATOR_PAYOUT_PAID,
                    subject(payout.id()),
                    before,
                    PayoutRows.one(c, payout.id())));
            log.info(
                "paid {} {} {} to {} for {} ({})",
                payout.currency(),
                payout.amount().toPlainString(),
                payout.id(),
                payout.creatorId(),
                payout.period(),
                outcome.transferId());
            return true;
          }
          // a refused try made no transfer: the next may take a new key; any other keeps it
          String key =
              outcome.refused()
                  ? TransferGateway.transferGroup(payout.id()) + "-try-" + (payout.attempts() + 1)
                  : payout.key();
          Instant next = outcome.isFinal() ? null : PayoutBackoff.after(payout.attempts(), now);
          log.warn(
              "payout {} to {} for {} failed (try {}): {}",
              payout.id(),
              payout.creatorId(),
              payout.period(),
              payout.attempts(),
              outcome.error());
          return PayoutRows.failed(c, payout, outcome.error(), next, key);
        });
  }

  /**
   * Sets the creator's connected account (any earlier one replaced), with {@code
   * creator_payout_account.set} in the audit trail; their payouts waiting for one are sent at the
   * next run.
   *
   * @throws IllegalArgumentException for an id that is not a connected account's
   */
  public void setAccount(String creatorId, String stripeAccount, Cause cause) throws SQLException {
    if (stripeAccount == null || !ACCOUNT.matcher(stripeAccount).matches()) {
      throw new IllegalArgumentException("not a Stripe connected account id: acct_…");
    }
    Instant now = clock.instant();
    Transactions.inTransaction(
        dataSource,
        c -> {
          Optional<String> before = PayoutRows.lockAccount(c, creatorId);
          PayoutRows.setAccount(c, creatorId, stripeAccount, now);
          AuditTrail.record(
              c,
              new AuditEntry(
                  now,
                  cause,
                  null,
                  AuditKinds.CREATOR_PAYOUT_ACCOUNT_SET,
                  "creator:" + creatorId,
                  before.map(account -> Map.of("stripe_account", account)).orElse(null),
                  Map.of("stripe_account", stripeAccount)));
          return null;
        });
  }

  /** The creator's payouts, newest month first. */
  public List<CreatorPayout> ofCreator(String creatorId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return PayoutRows.ofCreator(c, creatorId);
    }
  }

  /** Every creator's payouts, in {@code status} when given, newest month first. */
  public List<CreatorPayout> all(String status, int limit, int offset) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return PayoutRows.all(c, status, limit, offset);
    }
  }

  /** How many payouts are not paid yet (due or not). */
  public long backlog() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return PayoutRows.backlog(c);
    }
  }

  private static String subject(long payoutId) {
    return "creator_payout:" + payoutId;
  }
}
