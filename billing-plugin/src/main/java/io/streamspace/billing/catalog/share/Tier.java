package io.streamspace.billing.catalog.share;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One step of a {@link ShareTable}: from {@code fromGross} of a creator's gross in the period
 * (inclusive) up to the next tier's threshold (exclusive), the platform takes {@code
 * platformRate} of each sale's gross.
 *
 * @param fromGross    the threshold, in the table's currency, at least 0
 * @param platformRate the platform's share, 0 to 1 ({@code 0.15} is 15 %)
 */
public record Tier(BigDecimal fromGross, BigDecimal platformRate) {

  public Tier {
    Objects.requireNonNull(fromGross, "fromGross");
    Objects.requireNonNull(platformRate, "platformRate");
    if (fromGross.signum() < 0) {
      throw new IllegalArgumentException(
          "a tier's fromGross must be at least 0, was " + fromGross.toPlainString());
    }
    if (platformRate.signum() < 0 || platformRate.compareTo(BigDecimal.ONE) > 0) {
      throw new IllegalArgumentException(
          "a tier's platformRate must be 0 to 1, was " + platformRate.toPlainString());
    }
  }

  /**
   * The tier as a statement shows it: {@code "15% from 1000000.00"}, {@code "0% from 0.00"}
   * (the threshold at its table's currency scale, as {@link ShareTable} keeps it).
   */
  public String label() {
    return platformRate.movePointRight(2).stripTrailingZeros().toPlainString()
        + "% from "
        + fromGross.toPlainString();
  }
}
