package io.streamspace.billing.catalog.share;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the platform shares a creator's sales in one currency: tiers of the platform's rate by the
 * creator's gross so far in the period, when that counter resets, and an optional cap on the
 * platform's take per creator per period. One table per currency: no exchange rates, a creator's
 * USD and VND sales count separately.
 *
 * <p>Validated when made: tiers start at 0 and their thresholds ascend strictly, rates are 0 to
 * 1, thresholds and the cap are amounts of the currency (no more decimals than its minor unit,
 * kept at its scale: {@code 1000000} USD is held as {@code 1000000.00}).
 *
 * @param tiers        lowest first; the first from 0
 * @param capPerPeriod the most the platform takes from one creator in one period, if any
 */
public record ShareTable(
    Currency currency, List<Tier> tiers, ResetPeriod reset, Optional<BigDecimal> capPerPeriod) {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  public ShareTable {
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(reset, "reset");
    Objects.requireNonNull(capPerPeriod, "capPerPeriod");
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a share table needs at least one tier");
    }
    List<Tier> scaled = new ArrayList<>();
    for (Tier tier : tiers) {
      Tier at =
          new Tier(amount("a tier's fromGross", tier.fromGross(), currency), tier.platformRate());
      if (scaled.isEmpty() && at.fromGross().signum() != 0) {
        throw new IllegalArgumentException(
            "the first tier must start from 0, not " + at.fromGross().toPlainString());
      }
      if (!scaled.isEmpty() && at.fromGross().compareTo(last(scaled).fromGross()) <= 0) {
        throw new IllegalArgumentException(
            "tier thresholds must ascend: %s after %s"
                .formatted(
                    at.fromGross().toPlainString(), last(scaled).fromGross().toPlainString()));
      }
      scaled.add(at);
    }
    tiers = List.copyOf(scaled);
    capPerPeriod = capPerPeriod.map(cap -> amount("capPerPeriod", cap, currency));
    if (capPerPeriod.isPresent() && capPerPeriod.get().signum() < 0) {
      throw new IllegalArgumentException(
          "capPerPeriod must be at least 0, was " + capPerPeriod.get().toPlainString());
    }
  }

  /**
   * Shopify's theme store as data: USD, the platform takes 0 % of a creator's first
   * US$1,000,000.00 of gross in a calendar year and 15 % above it, the counter reset each
   * January; no cap.
   */
  public static ShareTable shopifyLike() {
    return new ShareTable(
        USD,
        List.of(
            new Tier(BigDecimal.ZERO, BigDecimal.ZERO),
            new Tier(new BigDecimal("1000000"), new BigDecimal("0.15"))),
        ResetPeriod.CALENDAR_YEAR,
        Optional.empty());
  }

  /**
   * A VND table with tiered reductions and a cap: 30 % of a creator's first 50,000,000 VND of
   * gross in a calendar month, 20 % from there to 500,000,000, 10 % above; the platform takes at
   * most 100,000,000 VND from one creator in a month.
   */
  public static ShareTable vndMonthly() {
    return new ShareTable(
        VND,
        List.of(
            new Tier(BigDecimal.ZERO, new BigDecimal("0.30")),
            new Tier(new BigDecimal("50000000"), new BigDecimal("0.20")),
            new Tier(new BigDecimal("500000000"), new BigDecimal("0.10"))),
        ResetPeriod.CALENDAR_MONTH,
        Optional.of(new BigDecimal("100000000")));
  }

  /** The tier a creator is in with {@code grossSoFar} in the period: the last one it reached. */
  public Tier tierAt(BigDecimal grossSoFar) {
    Tier reached = tiers.get(0);
    for (Tier tier : tiers) {
      if (tier.fromGross().compareTo(grossSoFar) <= 0) {
        reached = tier;
      }
    }
    return reached;
  }

  /** Where tier {@code index} ends (exclusive): the next one's threshold, if there is one. */
  public Optional<BigDecimal> upTo(int index) {
    return index + 1 < tiers.size()
        ? Optional.of(tiers.get(index + 1).fromGross())
        : Optional.empty();
  }

  /** {@code value} at the currency's scale, refused when it has more decimals. */
  public static BigDecimal amount(String what, BigDecimal value, Currency currency) {
    Objects.requireNonNull(value, what);
    if (!Money.fitsMinorUnit(value, currency)) {
      throw new IllegalArgumentException(
          "%s %s has more decimals than %s's %d"
              .formatted(
                  what,
                  value.toPlainString(),
                  currency.getCurrencyCode(),
                  Money.minorDigits(currency)));
    }
    return value.setScale(Money.minorDigits(currency));
  }

  private static Tier last(List<Tier> tiers) {
    return tiers.get(tiers.size() - 1);
  }
}
