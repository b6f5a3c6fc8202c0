package io.streamspace.billing.store.share;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One creator's counters in one currency and one period ({@link ShareTable#reset}), as they stood
 * just before a sale: what the tiers and the cap of {@link RevenueShare#split} read.
 *
 * <p>Both are <b>net of claw-backs</b>: a refund or chargeback counts in the period of the sale
 * it undoes and lowers both counters for the sales after it (after in {@link Sale#ORDER}'s sense,
 * by time). Otherwise a creator could buy their own bundle and refund it to climb to a cheaper
 * tier, or to use up the platform's cap, and then sell for less. So both are sums of splits and
 * claw-backs of sales of the period ({@link #plus}), never below zero.
 *
 * @param grossSoFar        Σ gross of the period's sales before this one, less what was refunded
 * @param platformTakeSoFar Σ platform shares of those sales, less what was clawed back
 */
public record CreatorPeriodTotals(BigDecimal grossSoFar, BigDecimal platformTakeSoFar) {

  /** A period with no sale yet. */
  public static final CreatorPeriodTotals ZERO =
      new CreatorPeriodTotals(BigDecimal.ZERO, BigDecimal.ZERO);

  public CreatorPeriodTotals {
    Objects.requireNonNull(grossSoFar, "grossSoFar");
    Objects.requireNonNull(platformTakeSoFar, "platformTakeSoFar");
    if (grossSoFar.signum() < 0 || platformTakeSoFar.signum() < 0) {
      throw new IllegalArgumentException(
          "a creator's period totals are never below 0 (gross %s, platform take %s): a claw-back"
                  .formatted(grossSoFar.toPlainString(), platformTakeSoFar.toPlainString())
              + " counts in its sale's period");
    }
  }

  /**
   * The totals after a split or a claw-back of this period (a claw-back's figures are negative,
   * so it lowers them).
   */
  public CreatorPeriodTotals plus(SaleSplit split) {
    return new CreatorPeriodTotals(
        grossSoFar.add(split.gross()), platformTakeSoFar.add(split.platformShare()));
  }
}
