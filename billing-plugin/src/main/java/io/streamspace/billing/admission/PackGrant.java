package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.packs.Purchase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a pack purchase adds to an account's limits and when: from {@code from} until {@code
 * until} (excluded; null while a recurring pack is not cancelled). Held in memory, so an expiry
 * acts at its instant without reading the database.
 */
record PackGrant(Map<Meter, BigDecimal> adds, Instant from, Instant until) {

  PackGrant {
    adds = Map.copyOf(adds);
  }

  /**
   * A purchase as stored: a one-time pack over its current validity (a renewal before the end
   * extends it, one after restarts it), a recurring one from its purchase until cancelled. A
   * Checkout payment refunded at Stripe ended what it bought at the refund: what is left is the
   * validity of its renewals (billed on invoices) that end after it, if any.
   */
  static PackGrant of(Purchase purchase) {
    Map<Meter, BigDecimal> adds = new LinkedHashMap<>();
    purchase.adds().forEach((name, amount) -> adds.put(Meter.of(name), amount));
    Instant from = purchase.validFrom();
    Instant until = purchase.validUntil() != null ? purchase.validUntil() : purchase.cancelledAt();
    Instant refunded = purchase.refundedAt();
    if (refunded != null && (until == null || refunded.isBefore(until))) {
      Optional<Instant> renewed =
          purchase.history().stream()
              .filter(e -> e.kind().equals("renewed") && e.validUntil().isAfter(refunded))
              .map(Purchase.Event::validFrom)
              .min(Comparator.naturalOrder());
      if (renewed.isEmpty()) {
        until = refunded;
      } else if (renewed.get().isAfter(from)) {
        from = renewed.get();
      }
    }
    return new PackGrant(adds, from, until);
  }

  boolean activeAt(Instant at) {
    return !at.isBefore(from) && (until == null || at.isBefore(until));
  }
}
