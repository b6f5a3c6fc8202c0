package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Every account's use as admission sees it, in memory. Each change of an account is made inside
 * the map's compute of its key, so an account dropped when empty never loses a change made at
 * that time.
 */
final class AdmissionView {

  private final Map<String, AccountUse> accounts = new ConcurrentHashMap<>();

  /**
   * What the account uses now, not counting {@code sessionId}; its counters those of the
   * billing period {@code [periodStart, periodEnd)}; what its packs active {@code now} add.
   */
  ConcurrentUse use(
      String accountId, String sessionId, Instant periodStart, Instant periodEnd, Instant now) {
    AccountUse account = accounts.get(accountId);
    return account == null
        ? ConcurrentUse.NONE
        : account.use(sessionId, periodStart, periodEnd, now);
  }

  /**
   * What {@code member} holds in the account's open sessions, not counting {@code sessionId},
   * and their cap; null when they have none there.
   */
  MemberUse memberUse(String accountId, String member, String sessionId) {
    AccountUse account = accounts.get(accountId);
    return account == null ? null : account.memberUse(member, sessionId);
  }

  /** A session of {@code member} (null: the account itself). */
  void open(
      String accountId,
      String sessionId,
      String member,
      SessionSize size,
      Instant at,
      Instant now) {
    change(accountId, a -> a.open(sessionId, member, size, at, now));
  }

  void end(String accountId, String sessionId, String member, Instant now) {
    change(accountId, a -> a.end(sessionId, member, now));
  }

  /** A member's cap set (or, with no limits, removed) on this node. */
  void cap(String accountId, String member, Map<Meter, BigDecimal> limits, Instant now) {
    change(accountId, a -> a.cap(member, limits, now));
  }

  /** The session no longer counts against the account (it runs under another). */
  void forget(String accountId, String sessionId) {
    accounts.computeIfPresent(
        accountId,
        (key, account) -> {
          account.forget(sessionId);
          return account;
        });
  }

  void storage(String accountId, BigDecimal level, Instant at, String eventId, Instant now) {
    change(accountId, a -> a.storage(level, at, eventId, now));
  }

  void usage(String accountId, String reportId, Meter meter, BigDecimal quantity, Instant at) {
    change(accountId, a -> a.usage(reportId, meter, quantity, at));
  }

  void confirmed(String accountId, Meter meter, Instant periodStart) {
    change(accountId, a -> a.confirmed(meter, periodStart));
  }

  void pack(String accountId, long purchaseId, PackGrant grant, Instant now) {
    change(accountId, a -> a.pack(purchaseId, grant, now));
  }

  /** The organization's seats now, and whether {@code userId} (null: not said) holds one. */
  SeatUse seats(String accountId, String userId) {
    AccountUse account = accounts.get(accountId);
    return account == null ? SeatUse.NONE : account.seats(accountId, userId);
  }

  void membership(String accountId, String userId, MemberEvent event) {
    change(accountId, a -> a.membership(userId, event));
  }

  void seatLimit(String accountId, Integer limit, Instant now) {
    change(accountId, a -> a.seatLimit(limit, now));
  }

  /** The ids of the usage reports counted here on top of the stored counters. */
  Set<String> reportIds() {
    Set<String> ids = new HashSet<>();
    accounts.values().forEach(a -> ids.addAll(a.reportIds()));
    return ids;
  }

  /**
   * Takes what the database holds for the period that starts at {@code periodStart}, keeping
   * what this node saw at or after {@code horizon} and the reports the database does not hold.
   */
  void refresh(StoredUseQuery.Loaded stored, Instant periodStart, Instant horizon) {
    Set<String> ids = new HashSet<>(accounts.keySet());
    ids.addAll(stored.accounts().keySet());
    for (String id : ids) {
      accounts.compute(
          id,
          (key, account) -> {
            AccountUse refreshed = account != null ? account : new AccountUse();
            refreshed.refresh(
                stored.accounts().get(key), stored.storedReports(), periodStart, horizon);
            return refreshed.isEmpty() ? null : refreshed;
          });
    }
  }

  /** How many accounts it holds. */
  int size() {
    return accounts.size();
  }

  private void change(String accountId, Consumer<AccountUse> change) {
    accounts.compute(
        accountId,
        (key, account) -> {
          AccountUse changed = account != null ? account : new AccountUse();
          change.accept(changed);
          return changed;
        });
  }
}
