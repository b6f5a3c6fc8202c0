package io.streamspace.billing.quota;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.HoldReason;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Suspension after the grace: an account strictly over a hard limit ({@link
 * MeterQuota#overHardLimit}) is held ({@link HoldReason#OVER_LIMIT}) once it has been over for
 * {@code gracePeriodDays}, while {@code autoSuspendOnOverage} is on; the hold is lifted once it
 * is back within its limits, or the key is turned off (or the grace lengthened). The grace starts
 * when a check first finds the account over ({@link OverLimitStore}): the first node to find it
 * sets it, nothing moves it until the account is back within its limits.
 *
 * <p>A check weighs quotas read a while before (a run reads every account first), so the hold is
 * placed only if the account's over-limit row is still there, since the same instant, under a
 * shared lock: a plan change that found the account back within its limits deletes the row in
 * the transaction that lifts the hold, so either it lifts the hold placed before, or no hold is
 * placed after. An account found within its limits, with no row, but held for being over, is
 * lifted all the same.
 */
public final class OverLimitSuspensions {

  /** Where an account stands: null instants when it is not over (or not suspended for it). */
  public record State(Instant overSince, Instant suspendsAt, boolean suspended) {}

  private final OverLimitStore store;
  private final Quotas quotas;
  private final AccountHolds holds;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public OverLimitSuspensions(
      DataSource dataSource,
      Quotas quotas,
      AccountHolds holds,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.store = new OverLimitStore(dataSource);
    this.quotas = quotas;
    this.holds = holds;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Starts the grace of the accounts found over, suspends those whose grace has ended and resumes
   * those back within their limits; {@code cause}: the check-quotas run, as the audit trail tells
   * it.
   *
   * @return how many accounts this call suspended or resumed
   */
  public int check(List<AccountQuota> accounts, Cause cause) throws SQLException {
    Map<String, Instant> overSince = new HashMap<>(store.all());
    // the accounts found over a hard limit for the first time: their grace starts now, marked in
    // one statement, not a commit of each (a platform's first run may find thousands)
    List<String> newlyOver =
        accounts.stream()
            .filter(a -> !a.overHardLimits().isEmpty() && !overSince.containsKey(a.orgId()))
            .map(AccountQuota::orgId)
            .toList();
    if (!newlyOver.isEmpty()) {
      overSince.putAll(store.markOver(newlyOver, clock.instant()));
    }
    Set<String> held = holds.accountsHeld(HoldReason.OVER_LIMIT);
    int changed = 0;
    for (AccountQuota account : accounts) {
      String id = account.orgId();
      if (check(account, Optional.ofNullable(overSince.get(id)), held.contains(id), cause)) {
        changed++;
      }
    }
    return changed;
  }

  /** {@link #check(List)} for one account at once: after its plan changed. */
  public void check(String orgId) throws SQLException {
    Optional<AccountQuota> quota = quotas.of(orgId);
    if (quota.isPresent()) {
      boolean held = holds.active(orgId, HoldReason.OVER_LIMIT).isPresent();
      check(quota.get(), store.of(orgId), held);
    }
  }

  /** Since when the account is over, when it will be (or was) suspended, whether it is. */
  public State stateOf(String orgId) throws SQLException {
    Optional<Instant> since = store.of(orgId);
    boolean suspended =
        holds.active(orgId).stream().anyMatch(h -> h.reason() == HoldReason.OVER_LIMIT);
    return new State(
        since.orElse(null),
        since.flatMap(s -> suspendsAt(config.get(), s)).orElse(null),
        suspended);
  }

  /**
   * Whether this call suspended or resumed the account, given its quota, since when it is over
   * and whether it is held for it, as read by the caller (maybe before a concurrent change).
   */
  boolean check(AccountQuota account, Optional<Instant> since, boolean held) throws SQLException {
    return check(account, since, held, AccountHolds.BY_BILLING);
  }

  private boolean check(AccountQuota account, Optional<Instant> since, boolean held, Cause cause)
      throws SQLException {
    String id = account.orgId();
    List<MeterQuota> over = account.overHardLimits();
    if (over.isEmpty()) {
      return (since.isPresent() || held) && liftAndClear(id, cause);
    }
    Instant now = clock.instant();
    Instant overSince = since.isPresent() ? since.get() : store.markOver(id, now);
    if (isDue(overSince, now)) {
      return holds
          .place(
              id,
              HoldReason.OVER_LIMIT,
              detail(over, overSince),
              c ->
                  OverLimitStore.lockedOf(c, id).filter(overSince::equals).isPresent()
                      && isDue(overSince, clock.instant()),
              cause)
          .isPresent();
    }
    // not due (within its grace, or suspension on overage off): a hold of it placed before (the
    // grace since lengthened) is lifted; one not held has nothing to lift, and no transaction is
    // opened for it
    return held && lift(id, c -> true, cause);
  }

  /** Whether the grace of an account over since then has ended, with the config in effect. */
  private boolean isDue(Instant overSince, Instant now) {
    Optional<Instant> due = suspendsAt(config.get(), overSince);
    return due.isPresent() && !now.isBefore(due.get());
  }

  /** Back within its limits: lifts the hold, its grace to start afresh, in one transaction. */
  private boolean liftAndClear(String orgId, Cause cause) throws SQLException {
    return lift(
        orgId,
        c -> {
          OverLimitStore.clear(c, orgId);
          return true;
        },
        cause);
  }

  private boolean lift(String orgId, AccountHolds.First first, Cause cause) throws SQLException {
    return holds
        .lift(orgId, HoldReason.OVER_LIMIT, AccountHolds.LIFTED_BY_BILLING, null, first, cause)
        .isPresent();
  }

  private static Optional<Instant> suspendsAt(BillingConfig config, Instant overSince) {
    return config.autoSuspendOnOverage()
        ? Optional.of(overSince.plus(config.gracePeriod()))
        : Optional.empty();
  }

  /**
   * What the user reads as the reason of the suspension: "Over the hard limit of storage_gb (2.5
   * used, 2 allowed) since 2026-03-03T12:00:00Z. Free some storage or upgrade your plan to
   * resume." (the meter's name carries its unit).
   */
  static String detail(List<MeterQuota> over, Instant since) {
    String meters =
        over.stream()
            .map(
                m ->
                    "%s (%s used, %s allowed)"
                        .formatted(m.meter().configName(), plain(m.used()), plain(m.limit())))
            .collect(Collectors.joining(", "));
    String remedies =
        over.stream().map(m -> remedy(m.meter())).distinct().collect(Collectors.joining(", "));
    return "Over the hard limit of %s since %s. %s or upgrade your plan to resume."
        .formatted(
            meters, since, Character.toUpperCase(remedies.charAt(0)) + remedies.substring(1));
  }

  private static String plain(BigDecimal amount) {
    return amount.stripTrailingZeros().toPlainString();
  }

  private static String remedy(Meter meter) {
    return switch (meter.measure()) {
      case CONCURRENT, HELD -> "end some sessions";
      case GAUGE -> "free some storage";
      case PERIOD_COUNTER -> "wait for the next billing period";
      case SEATS -> "remove some members";
    };
  }
}
