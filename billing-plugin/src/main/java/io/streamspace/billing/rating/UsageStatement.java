package io.streamspace.billing.rating;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * A user's usage over {@code [periodStart, periodEnd)}: one line per resource and unit price,
 * each line total rounded once by {@link Money#lineTotal}, and the total the sum of the rounded
 * lines (so the lines always add up to what is shown).
 */
public record UsageStatement(
    String orgId,
    Instant periodStart,
    Instant periodEnd,
    Currency currency,
    List<UsageLine> lines,
    BigDecimal totalCost) {

  public UsageStatement {
    lines = List.copyOf(lines);
  }

  /** Builds the statement from the exact sums of the records. */
  public static UsageStatement of(
      String orgId,
      Instant periodStart,
      Instant periodEnd,
      Currency currency,
      List<UsageSum> sums) {
    return ofLines(
        orgId, periodStart, periodEnd, currency, sums.stream().map(s -> s.line(currency)).toList());
  }

  /** The statement of lines already rounded (a member's parts of them): their sum its total. */
  public static UsageStatement ofLines(
      String orgId,
      Instant periodStart,
      Instant periodEnd,
      Currency currency,
      List<UsageLine> lines) {
    BigDecimal total =
        lines.stream().map(UsageLine::totalCost).reduce(Money.zero(currency), BigDecimal::add);
    return new UsageStatement(orgId, periodStart, periodEnd, currency, lines, total);
  }
}
