package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The use of the accounts that matter now, as admission sees it, in memory: those with an open
 * session or something this node saw that the database may not hold yet, and those an admission
 * check read within the last {@link AdmissionViewLoads#KEEP_SEEN_HERE}. The others leave at a
 * reload ({@link AccountUse#idle}) and are read again from the database when a check next asks
 * about them ({@link #loaded}). Each change of an account is made inside the map's compute of its
 * key, so an account dropped never loses a change made at that time.
 */
final class AdmissionView {

  private final Map<String, AccountUse> accounts = new ConcurrentHashMap<>();
  // numbers the loads in the order they begin, so an older one never overwrites a newer one
  private final AtomicLong loads = new AtomicLong();

  /**
   * What the account uses now, not counting {@code sessionId}; its counters those of the
   * billing period {@code [periodStart, periodEnd)}; what its packs active {@code now} add.
   */
  ConcurrentUse use(
      String orgId, String sessionId, Instant periodStart, Instant periodEnd, Instant now) {
    AccountUse account = accounts.get(orgId);
    return account == null
        ? ConcurrentUse.NONE
        : account.use(sessionId, periodStart, periodEnd, now);
  }

  /**
   * What {@code member} holds in the account's open sessions, not counting {@code sessionId},
   * and their cap; null when they have none there.
   */
  MemberUse memberUse(String orgId, String member, String sessionId) {
    AccountUse account = accounts.get(orgId);
    return account == null ? null : account.memberUse(member, sessionId);
  }

  /** A session of {@code member} (null: the account itself). */
  void open(
      String orgId, String sessionId, String member, SessionSize size, Instant at, Instant now) {
    change(orgId, a -> a.open(sessionId, member, size, at, now));
  }

  void end(String orgId, String sessionId, String member, Instant now) {
    change(orgId, a -> a.end(sessionId, member, now));
  }

  /** A member's cap set (or, with no limits, removed) on this node. */
  void cap(String orgId, String member, Map<Meter, BigDecimal> limits, Instant now) {
    change(orgId, a -> a.cap(member, limits, now));
  }

  /** The session no longer counts against the account (it runs under another). */
  void forget(String orgId, String sessionId) {
    accounts.computeIfPresent(
        orgId,
        (key, account) -> {
          account.forget(sessionId);
          return account;
        });
  }

  void storage(String orgId, BigDecimal level, Instant at, String eventId, Instant now) {
    change(orgId, a -> a.storage(level, at, eventId, now));
  }

  void usage(String orgId, String reportId, Meter meter, BigDecimal quantity, Instant at) {
    change(orgId, a -> a.usage(reportId, meter, quantity, at));
  }

  void confirmed(String orgId, Meter meter, Instant periodStart) {
    change(orgId, a -> a.confirmed(meter, periodStart));
  }

  void pack(String orgId, long purchaseId, PackGrant grant, Instant now) {
    change(orgId, a -> a.pack(purchaseId, grant, now));
  }

  /** The organization's seats now, and whether {@code userId} (null: not said) holds one. */
  SeatUse seats(String orgId, String userId, Instant now) {
    AccountUse account = accounts.get(orgId);
    return account == null ? SeatUse.NONE : account.seats(orgId, userId, now);
  }

  void membership(String orgId, String userId, MemberEvent event) {
    change(orgId, a -> a.membership(userId, event));
  }

  void seatLimit(String orgId, Integer limit, Instant now) {
    change(orgId, a -> a.seatLimit(limit, now));
  }

  /** The ids of the usage reports counted here on top of the stored counters. */
  Set<String> reportIds() {
    Set<String> ids = new HashSet<>();
    accounts.values().forEach(a -> ids.addAll(a.reportIds()));
    return ids;
  }

  /** The ids of the usage reports counted here for the account. */
  Set<String> reportIds(String orgId) {
    AccountUse account = accounts.get(orgId);
    return account == null ? Set.of() : account.reportIds();
  }

  /** The accounts it holds now: a reload reads them (and every account with an open session). */
  Set<String> orgIds() {
    return new HashSet<>(accounts.keySet());
  }

  /** Whether the account is held with its stored part read: a check needs no read then. */
  boolean isLoaded(String orgId) {
    AccountUse account = accounts.get(orgId);
    return account != null && account.loaded();
  }

  /** Numbers a load about to begin (before its snapshot is taken). */
  long nextLoad() {
    return loads.incrementAndGet();
  }

  /**
   * Takes what the database holds for the accounts {@code asked} (those it held when the reload
   * began) and the others the reload found ({@code stored}), for the period that starts at
   * {@code periodStart}, keeping what this node saw at or after {@code horizon} and the reports
   * the database does not hold; the accounts then {@link AccountUse#idle} leave. An account an
   * event brought in after the reload began, and which the reload did not read, is left as it is
   * (not loaded: a check reads it).
   */
  void refresh(
      Set<String> asked,
      StoredUseQuery.Loaded stored,
      Instant periodStart,
      Instant horizon,
      long load) {
    Set<String> ids = new HashSet<>(asked);
    ids.addAll(stored.accounts().keySet());
    for (String id : ids) {
      accounts.compute(
          id,
          (key, account) -> {
            AccountUse refreshed = account != null ? account : new AccountUse();
            refreshed.refresh(
                stored.accounts().get(key), stored.storedReports(), periodStart, horizon, load);
            return refreshed.idle(horizon) ? null : refreshed;
          });
    }
  }

  /**
   * Takes what the database holds of one account ({@code stored}, null: nothing), read because a
   * check asked about it at {@code now}; it stays in the view (it was just asked about).
   */
  void loaded(
      String orgId,
      StoredUse stored,
      Set<String> storedReports,
      Instant periodStart,
      Instant horizon,
      long load,
      Instant now) {
    change(
        orgId,
        a -> {
          a.refresh(stored, storedReports, periodStart, horizon, load);
          a.asked(now);
        });
  }

  /** Drops every account, as if each had left (tests force eviction at every step with it). */
  void evictAll() {
    accounts.clear();
  }

  /** How many accounts it holds. */
  int size() {
    return accounts.size();
  }

  private void change(String orgId, Consumer<AccountUse> change) {
    accounts.compute(
        orgId,
        (key, account) -> {
          AccountUse changed = account != null ? account : new AccountUse();
          change.accept(changed);
          return changed;
        });
  }
}
