package io.streamspace.billing.store.share;

import io.streamspace.billing.catalog.share.Tier;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one sale's gross is shared ({@link RevenueShare#split}), or what a refund or chargeback
 * takes back ({@link RevenueShare#clawBack}: every figure negative). Amounts are at the
 * currency's scale and {@code platformShare + creatorShare = gross} always, to the minor unit.
 *
 * @param parts      the gross by tier, lowest first, with the platform's exact share of each
 *                   (before rounding and the cap); a partial claw-back has none (it is
 *                   proportional to the whole sale, not per tier)
 * @param capReached whether the platform's take for the period reached the cap with this sale
 *                   (this sale got what was left of it, or nothing); a claw-back keeps its sale's
 * @param tierReached the {@link Tier#label} of the highest tier the sale reached; a claw-back
 *                   keeps its sale's
 */
public record SaleSplit(
    Currency currency,
    BigDecimal gross,
    BigDecimal platformShare,
    BigDecimal creatorShare,
    List<TierPart> parts,
    boolean capReached,
    String tierReached) {

  public SaleSplit {
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(gross, "gross");
    Objects.requireNonNull(platformShare, "platformShare");
    Objects.requireNonNull(creatorShare, "creatorShare");
    Objects.requireNonNull(tierReached, "tierReached");
    parts = List.copyOf(parts);
    if (platformShare.add(creatorShare).compareTo(gross) != 0) {
      throw new IllegalArgumentException(
          "platform %s + creator %s is not the gross %s"
              .formatted(
                  platformShare.toPlainString(),
                  creatorShare.toPlainString(),
                  gross.toPlainString()));
    }
  }

  /** The highest tier the sale reached, if it has parts (a partial claw-back has none). */
  public Optional<Tier> highestTier() {
    return parts.isEmpty() ? Optional.empty() : Optional.of(parts.get(parts.size() - 1).tier());
  }
}
