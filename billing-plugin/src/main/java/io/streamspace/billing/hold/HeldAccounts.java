package io.streamspace.billing.hold;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The active holds of every held account (reason and detail), in memory, for admission's hot
 * path. A change this node makes applies at once; a reload takes what the database holds, except
 * for accounts this node changed after the reload began (it may have read them before).
 */
final class HeldAccounts {

  private record Entry(Map<HoldReason, String> holds, long changedAt) {}

  private static final Entry NONE = new Entry(Map.of(), 0);

  private final Map<String, Entry> accounts = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();

  /** The account's holds, reason to detail, in {@link HoldReason} order; empty when none. */
  Map<HoldReason, String> of(String orgId) {
    return accounts.getOrDefault(orgId, NONE).holds();
  }

  /** This node placed or lifted a hold: {@code holds} are the account's active ones now. */
  void changed(String orgId, Map<HoldReason, String> holds) {
    accounts.put(orgId, new Entry(copy(holds), changes.incrementAndGet()));
  }

  /** Where a reload begins: pass it to {@link #reload} with what the reload read. */
  long mark() {
    return changes.get();
  }

  /** Takes what the database holds, keeping the changes made here after {@code mark}. */
  void reload(Map<String, Map<HoldReason, String>> stored, long mark) {
    Set<String> ids = new HashSet<>(accounts.keySet());
    ids.addAll(stored.keySet());
    for (String id : ids) {
      accounts.compute(
          id,
          (key, entry) -> {
            if (entry != null && entry.changedAt() > mark) {
              return entry;
            }
            Map<HoldReason, String> holds = stored.get(key);
            return holds == null ? null : new Entry(copy(holds), 0);
          });
    }
  }

  private static Map<HoldReason, String> copy(Map<HoldReason, String> holds) {
    return holds.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(holds));
  }
}
