package io.streamspace.billing.admission;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Every account's concurrent use, in memory. Each change of an account is made inside the map's
 * compute of its key, so an account dropped when empty never loses a change made at that time.
 */
final class AdmissionView {

  private final Map<String, AccountUse> accounts = new ConcurrentHashMap<>();

  /** What the account uses now, not counting {@code sessionId}. */
  ConcurrentUse use(String accountId, String sessionId) {
    AccountUse account = accounts.get(accountId);
    return account == null ? ConcurrentUse.NONE : account.use(sessionId);
  }

  void open(String accountId, String sessionId, SessionSize size, Instant at, Instant now) {
    change(accountId, a -> a.open(sessionId, size, at, now));
  }

  void end(String accountId, String sessionId, Instant now) {
    change(accountId, a -> a.end(sessionId, now));
  }

  void storage(String accountId, BigDecimal level, Instant at, Instant now) {
    change(accountId, a -> a.storage(level, at, now));
  }

  /** Takes what the database holds, keeping what this node saw at or after {@code horizon}. */
  void refresh(Map<String, StoredUse> stored, Instant horizon) {
    Set<String> ids = new HashSet<>(accounts.keySet());
    ids.addAll(stored.keySet());
    for (String id : ids) {
      accounts.compute(
          id,
          (key, account) -> {
            AccountUse refreshed = account != null ? account : new AccountUse();
            refreshed.refresh(stored.get(key), horizon);
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
