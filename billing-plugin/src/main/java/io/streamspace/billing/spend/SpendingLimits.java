package io.streamspace.billing.spend;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.SpendAlert;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.HoldReason;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.quota.QuotaRule;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Spending limits: an account's cap on what a billing period costs. The period's estimated cost
 * is what its invoice would charge if finalized now, before credits ({@link
 * InvoiceCalculator#periodSoFar}); {@link #checkAll} (check-quotas, and calculate-usage after each
 * rating run) sends {@code billing.spend.warning} at the limit's warning percent and {@code
 * billing.spend.reached} at the limit, each once per account and period (a row claimed first, as
 * quota alerts). With the action {@code block}, the account is held ({@link
 * HoldReason#SPENDING_LIMIT}) once {@code spendingBlockNoticeMinutes} have passed since the
 * limit was first found reached in the period: its sessions are suspended and new ones refused.
 * The hold is lifted once the estimate is under the limit again (a raised limit, the next
 * period), the action is {@code warn}, or the limit is removed. A limit stops spending, it
 * drops no usage: what ran before the suspension stays rated and billed.
 */
public final class SpendingLimits {

  /**
   * An account's limit (null when it has none) and its period's estimate against it.
   *
   * @param percent the estimate as a percent of the limit (null without a limit)
   * @param state null without a limit
   * @param reachedAt when a check first found the limit reached this period, else null
   * @param blocksAt when a {@code block} limit holds the account (in the past once held), else
   *     null
   * @param blocked whether the account is held for its spending limit
   */
  public record Status(
      String orgId,
      Currency currency,
      SpendingLimit limit,
      Instant periodStart,
      Instant periodEnd,
      SpendEstimate estimate,
      BigDecimal percent,
      SpendState state,
      Instant reachedAt,
      Instant blocksAt,
      boolean blocked) {}

  private final SpendingLimitStore store;
  private final InvoiceCalculator calculator;
  private final AccountRepository accounts;
  private final AccountHolds holds;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public SpendingLimits(
      DataSource dataSource,
      InvoiceCalculator calculator,
      AccountRepository accounts,
      AccountHolds holds,
      BillingEvents events,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.store = new SpendingLimitStore(dataSource);
    this.calculator = calculator;
    this.accounts = accounts;
    this.holds = holds;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /** Stores the account's limit (replacing its previous one) and checks it at once. */
  public Status set(SpendingLimit limit, Account account, Cause cause) throws SQLException {
    store.put(limit, cause);
    check(limit, account, AccountHolds.BY_BILLING);
    return status(account);
  }

  /**
   * Removes the account's limit, lifting its hold if it had one.
   *
   * @return whether it had a limit
   */
  public boolean remove(String orgId, Cause cause) throws SQLException {
    boolean had = store.delete(orgId, clock.instant(), cause);
    lift(orgId, AccountHolds.BY_BILLING);
    return had;
  }

  /** The organization's limit, if it has one (a read of its row, no estimate). */
  public Optional<SpendingLimit> limitOf(String orgId) throws SQLException {
    return store.of(orgId);
  }

  /** The account's limit, if any, and its period's estimate now. */
  public Status status(Account account) throws SQLException {
    return status(store.of(account.orgId()).orElse(null), account);
  }

  /**
   * Checks every account's limit against its period's estimate now: alerts, holds placed and
   * lifted, as {@code cause} (the check-quotas run) in the audit trail.
   *
   * @return how many alerts were sent and holds placed or lifted
   */
  public int checkAll(Cause cause) throws SQLException {
    int changes = 0;
    for (SpendingLimit limit : store.all()) {
      Optional<Account> account = accounts.find(limit.accountId());
      if (account.isPresent()) {
        changes += check(limit, account.get(), cause);
      }
    }
    return changes;
  }

  private int check(SpendingLimit limit, Account account, Cause cause) throws SQLException {
    Status status = status(limit, account);
    String id = account.orgId();
    Instant now = clock.instant();
    int changes = 0;
    if (status.state() != SpendState.OK && claim(status, "warning", now)) {
      events.spendWarning(alert(status));
      changes++;
    }
    if (status.state() != SpendState.REACHED) {
      store.clearReached(id);
      return changes + lift(id, cause);
    }
    if (claim(status, "reached", now)) {
      events.spendReached(alert(status));
      changes++;
    }
    Optional<Instant> reachedAt = store.markReached(id, status.periodStart(), now);
    if (reachedAt.isEmpty()) {
      return changes; // removed meanwhile
    }
    Optional<Instant> blocksAt = blocksAt(limit, reachedAt.get());
    if (blocksAt.isPresent() && !now.isBefore(blocksAt.get())) {
      boolean placed =
          holds
              .place(
                  id,
                  HoldReason.SPENDING_LIMIT,
                  detail(status, reachedAt.get()),
                  connection -> true,
                  cause)
              .isPresent();
      return changes + (placed ? 1 : 0);
    }
    return changes + lift(id, cause);
  }

  private Status status(SpendingLimit limit, Account account) throws SQLException {
    String id = account.orgId();
    Currency currency = account.currency();
    Instant now = clock.instant();
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant periodStart = periods.periodStart(now);
    SpendEstimate estimate = estimate(id, currency, now);
    boolean blocked = holds.active(id, HoldReason.SPENDING_LIMIT).isPresent();
    if (limit == null) {
      return new Status(
          id,
          currency,
          null,
          periodStart,
          periods.periodEnd(now),
          estimate,
          null,
          null,
          null,
          null,
          blocked);
    }
    QuotaRule rule = new QuotaRule(limit.warnAtPercent());
    Limit cap = new Limit(limit.amount(), LimitKind.HARD);
    Instant reachedAt = store.reachedAt(id, periodStart).orElse(null);
    return new Status(
        id,
        currency,
        limit,
        periodStart,
        periods.periodEnd(now),
        estimate,
        rule.percent(estimate.total(), cap),
        SpendState.of(rule.state(estimate.total(), cap)),
        reachedAt,
        reachedAt == null ? null : blocksAt(limit, reachedAt).orElse(null),
        blocked);
  }

  /**
   * What the invoice of the current billing period would charge if it were finalized now, before
   * credits: the estimate a limit is checked against.
   */
  public SpendEstimate estimate(String orgId, Currency currency) throws SQLException {
    return estimate(orgId, currency, clock.instant());
  }

  private SpendEstimate estimate(String orgId, Currency currency, Instant now) throws SQLException {
    return SpendEstimate.of(calculator.periodSoFar(orgId, currency, now), currency);
  }

  private Optional<Instant> blocksAt(SpendingLimit limit, Instant reachedAt) {
    return limit.action() == SpendAction.BLOCK
        ? Optional.of(reachedAt.plus(config.get().spendingBlockNotice()))
        : Optional.empty();
  }

  private int lift(String orgId, Cause cause) throws SQLException {
    return holds
            .lift(
                orgId,
                HoldReason.SPENDING_LIMIT,
                AccountHolds.LIFTED_BY_BILLING,
                null,
                connection -> true,
                cause)
            .isPresent()
        ? 1
        : 0;
  }

  private boolean claim(Status status, String threshold, Instant now) throws SQLException {
    return store.claimAlert(
        status.orgId(),
        threshold,
        status.periodStart(),
        status.estimate().total(),
        status.limit().amount(),
        now);
  }

  private static SpendAlert alert(Status status) {
    return new SpendAlert(
        status.orgId(),
        status.currency().getCurrencyCode(),
        status.estimate().total(),
        status.limit().amount(),
        status.percent(),
        status.limit().action().jsonName(),
        status.periodStart());
  }

  /**
   * What the user reads as the reason of the suspension: "Spending limit of $50.00 reached at
   * 2026-03-10T14:00:00Z (this period's estimated cost: $50.40). Raise the limit or make it warn
   * only to resume."
   */
  private static String detail(Status status, Instant reachedAt) {
    return ("Spending limit of %s reached at %s (this period's estimated cost: %s)."
            + " Raise the limit or make it warn only to resume.")
        .formatted(
            MoneyText.of(status.limit().amount(), status.currency()),
            reachedAt,
            MoneyText.of(status.estimate().total(), status.currency()));
  }
}
