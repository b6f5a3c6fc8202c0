package io.streamspace.billing.packs;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.CapacityPack.Kind;
import io.streamspace.billing.packs.PackPurchases.Refused;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;

/**
 * What buying, renewing and cancelling a pack mean in time and money, apart from how they are
 * stored. Pure: it reads nothing.
 *
 * <ul>
 *   <li><b>Buying.</b> A one-time pack is valid for its days from its purchase (days of 24
 *       hours, whatever the zone); a recurring one from its purchase until cancelled, with no
 *       end. A one-time pack's price is charged on an invoice line of its own; a recurring pack's
 *       price is per billing period, billed period by period, so its purchase is not charged
 *       itself.
 *   <li><b>Renewing.</b> Only a one-time pack renews (a recurring one renews with each billing
 *       period): a new validity of its days from the later of now and its current end, so days
 *       still left are kept and an expired pack starts again from now, charged again at its price
 *       as bought, whatever the catalog says now. A purchase refunded at Stripe (which ended it)
 *       is not renewed.
 *   <li><b>Cancelling.</b> Only a recurring pack not cancelled before is cancelled (a one-time
 *       pack expires unless renewed); it stops adding capacity at once and charges nothing more.
 * </ul>
 */
final class PackTerms {

  /**
   * A renewal of a one-time purchase: its new validity {@code [from, until)} and what it charges.
   */
  record Renewal(Instant from, Instant until, BigDecimal price, Currency currency) {}

  private PackTerms() {}

  /** The end of the validity of the pack bought at {@code boughtAt}; null for a recurring pack. */
  static Instant validUntil(CapacityPack pack, Instant boughtAt) {
    return pack.kind() == Kind.ONE_TIME ? boughtAt.plus(Duration.ofDays(pack.validDays())) : null;
  }

  /** Whether buying a pack of that kind is charged on an invoice line of its own. */
  static boolean purchaseCharged(Kind kind) {
    return kind == Kind.ONE_TIME;
  }

  /**
   * The renewal of {@code purchase} at {@code now}.
   *
   * @throws Refused {@code not_renewable} for a recurring purchase, {@code refunded} for one
   *     refunded at Stripe (it ended for good: the pack is bought anew)
   */
  static Renewal renewal(Purchase purchase, Instant now) throws Refused {
    if (!Kind.ONE_TIME.configName().equals(purchase.kind())) {
      throw new Refused("not_renewable", "a recurring pack renews with each billing period");
    }
    if (purchase.refundedAt() != null) {
      throw new Refused("refunded", "the pack was refunded at Stripe: buy it anew");
    }
    Instant from = purchase.validUntil().isAfter(now) ? purchase.validUntil() : now;
    return new Renewal(
        from,
        from.plus(Duration.ofDays(purchase.validDays())),
        purchase.price(),
        Currency.getInstance(purchase.currency()));
  }

  /**
   * Refuses the cancellation of {@code purchase} unless it can be cancelled.
   *
   * @throws Refused {@code not_cancellable} for a one-time purchase (it simply expires), {@code
   *     already_cancelled} for one cancelled before
   */
  static void requireCancellable(Purchase purchase) throws Refused {
    if (!Kind.RECURRING.configName().equals(purchase.kind())) {
      throw new Refused(
          "not_cancellable", "a one_time pack is not cancelled: it expires unless renewed");
    }
    if (purchase.cancelledAt() != null) {
      throw new Refused("already_cancelled", "the pack was cancelled already");
    }
  }
}
