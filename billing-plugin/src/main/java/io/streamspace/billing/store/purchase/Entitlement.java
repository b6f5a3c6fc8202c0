package io.streamspace.billing.store.purchase;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An organization may apply a store item (a theme) now, until {@code until} (null: for good).
 *
 * @param orgId the organization (a personal organization's id is its user's)
 * @param purchaseId the purchase that entitles it now
 * @param since when that purchase's access began
 * @param until when the access ends, unbroken: the latest end of the time-limited purchases that
 *     extend it, each starting where the one before ends; null when it is owned for good
 */
public record Entitlement(
    String orgId,
    long itemId,
    String itemName,
    String version,
    long purchaseId,
    Instant since,
    Instant until) {

  /**
   * The entitlements of the purchases that entitle now ({@code now}), extended by those that
   * start later ({@code later}, by start): one per organization and item.
   */
  static List<Entitlement> of(List<StorePurchase> now, List<StorePurchase> later) {
    Map<String, Entitlement> byItem = new LinkedHashMap<>();
    for (StorePurchase p : now) {
      Entitlement entitlement =
          new Entitlement(
              p.accountId(),
              p.itemId(),
              p.itemName(),
              p.version(),
              p.id(),
              p.accessFrom(),
              p.accessUntil());
      byItem.merge(key(p), entitlement, Entitlement::longer);
    }
    for (StorePurchase p : later) {
      Entitlement current = byItem.get(key(p));
      if (current != null && current.until() != null && current.until().equals(p.accessFrom())) {
        byItem.put(key(p), current.until(p.accessUntil()));
      }
    }
    return new ArrayList<>(byItem.values());
  }

  private static String key(StorePurchase p) {
    return p.accountId() + "\u0000" + p.itemId();
  }

  private Entitlement until(Instant end) {
    return new Entitlement(orgId, itemId, itemName, version, purchaseId, since, end);
  }

  /** Of two purchases entitling one organization to one item now, the one that lasts longer. */
  private static Entitlement longer(Entitlement a, Entitlement b) {
    if (a.until() == null) {
      return a;
    }
    if (b.until() == null) {
      return b;
    }
    return b.until().isAfter(a.until()) ? b : a;
  }
}
