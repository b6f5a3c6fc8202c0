package io.streamspace.billing.store.share;

import io.streamspace.billing.catalog.share.Tier;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The part of a sale's gross that fell in one tier, and the platform's exact share of it
 * ({@code amount × tier.platformRate}, unrounded and before the cap: {@link RevenueShare}).
 */
public record TierPart(Tier tier, BigDecimal amount, BigDecimal platformExact) {

  public TierPart {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(platformExact, "platformExact");
  }

  /** The same part with its signs reversed: what a claw-back of the whole sale undoes. */
  TierPart negated() {
    return new TierPart(tier, amount.negate(), platformExact.negate());
  }
}
