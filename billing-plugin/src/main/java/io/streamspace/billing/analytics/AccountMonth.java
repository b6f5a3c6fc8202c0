package io.streamspace.billing.analytics;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One organization over one month, as the MRR movements read it.
 *
 * @param start its MRR at the month's first instant (its plan's price per month: a yearly plan's
 *     price ÷ 12; 0 in a billing mode that charges no plan fee, on a free plan, before it opened,
 *     and once closed)
 * @param end its MRR at the next month's first instant
 * @param paidBefore whether it was ever on a paid plan while a mode charged its fee, before the
 *     month began
 * @param opened whether it was opened before the month ended
 */
public record AccountMonth(
    String orgId, BigDecimal start, BigDecimal end, boolean paidBefore, boolean opened) {

  public AccountMonth {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }
}
