package io.streamspace.billing.whatif;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * One organization's charges for the period, before credits: as invoiced and under the what-if.
 *
 * @param invoicedTotal the subtotals of its invoices of the period (finalized ones as stored; a
 *     draft, or the period not drafted yet, as it would be finalized now)
 * @param whatIfTotal the same invoices priced under the what-if
 */
public record AccountDelta(
    String orgId, Currency currency, BigDecimal invoicedTotal, BigDecimal whatIfTotal) {

  /** What the organization would pay more (negative: less). */
  public BigDecimal delta() {
    return whatIfTotal.subtract(invoicedTotal);
  }
}
