package io.streamspace.billing.rating;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * A user's usage over {@code [periodStart, periodEnd)}: one line per resource and unit price,
 * each line total rounded by {@link Money#roundLineTotal}, and the total the sum of the rounded
 * lines (so the lines always add up to what is shown).
 */
public record UsageStatement(
    String userId, Instant periodStart, Instant periodEnd, Currency currency,
    List<UsageLine> lines, BigDecimal totalCost) {

  public UsageStatement {
    lines = List.copyOf(lines);
  }

  /**
   * Builds the statement from unrounded sums.
   *
   * @param sums lines whose {@code totalCost} is the unrounded sum of the records' costs
   */
  public static UsageStatement of(String userId, Instant periodStart, Instant periodEnd,
      Currency currency, List<UsageLine> sums) {
    List<UsageLine> lines = sums.stream()
        .map(s -> new UsageLine(s.resourceType(), s.quantity(), s.unit(), s.unitPrice(),
            Money.roundLineTotal(s.totalCost(), currency)))
        .toList();
    BigDecimal total = lines.stream()
        .map(UsageLine::totalCost)
        .reduce(Money.roundLineTotal(BigDecimal.ZERO, currency), BigDecimal::add);
    return new UsageStatement(userId, periodStart, periodEnd, currency, lines, total);
  }
}
