package io.streamspace.billing.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * A month's subscription figures in one currency ({@link MrrMovements}: each one's formula).
 *
 * @param mrr MRR at the month's end
 * @param logoChurnRate null when no organization paid at the month's start
 * @param revenueChurnRate null when the MRR at the month's start was 0
 * @param conversionRate null when no organization could convert (none free at the start)
 * @param arpa null when no organization pays at the month's end
 * @param creditNotes what the credit notes of the invoices whose period starts in the month gave
 *     back (their totals, tax included), whenever they were issued
 * @param planFeeCreditNotes the part of {@code creditNotes} that credited plan-fee lines (before
 *     tax)
 * @param netMrr {@code mrr} less {@code planFeeCreditNotes}: the month's recurring revenue net
 *     of what credit notes gave back of its plan fees
 */
public record MonthFigures(
    YearMonth month,
    String currency,
    BigDecimal mrr,
    BigDecimal newMrr,
    BigDecimal expansionMrr,
    BigDecimal contractionMrr,
    BigDecimal churnedMrr,
    BigDecimal reactivationMrr,
    BigDecimal logoChurnRate,
    BigDecimal revenueChurnRate,
    BigDecimal conversionRate,
    BigDecimal arpa,
    int payingAtStart,
    int payingAtEnd,
    int churnedOrganizations,
    int freeAtStart,
    int converted,
    BigDecimal creditNotes,
    BigDecimal planFeeCreditNotes,
    BigDecimal netMrr) {

  /** A snapshot kept before credit notes were counted reads as one without any. */
  public MonthFigures {
    if (netMrr == null) {
      creditNotes = BigDecimal.ZERO.setScale(mrr.scale());
      planFeeCreditNotes = creditNotes;
      netMrr = mrr;
    }
  }

  /** The figures without credit notes: none given back, {@code net_mrr} the MRR. */
  public MonthFigures(
      YearMonth month,
      String currency,
      BigDecimal mrr,
      BigDecimal newMrr,
      BigDecimal expansionMrr,
      BigDecimal contractionMrr,
      BigDecimal churnedMrr,
      BigDecimal reactivationMrr,
      BigDecimal logoChurnRate,
      BigDecimal revenueChurnRate,
      BigDecimal conversionRate,
      BigDecimal arpa,
      int payingAtStart,
      int payingAtEnd,
      int churnedOrganizations,
      int freeAtStart,
      int converted) {
    this(
        month,
        currency,
        mrr,
        newMrr,
        expansionMrr,
        contractionMrr,
        churnedMrr,
        reactivationMrr,
        logoChurnRate,
        revenueChurnRate,
        conversionRate,
        arpa,
        payingAtStart,
        payingAtEnd,
        churnedOrganizations,
        freeAtStart,
        converted,
        BigDecimal.ZERO.setScale(mrr.scale()),
        BigDecimal.ZERO.setScale(mrr.scale()),
        mrr);
  }

  /** The same figures with the month's credit notes: all they gave back, and of plan fees. */
  public MonthFigures withCreditNotes(BigDecimal all, BigDecimal planFees) {
    return new MonthFigures(
        month,
        currency,
        mrr,
        newMrr,
        expansionMrr,
        contractionMrr,
        churnedMrr,
        reactivationMrr,
        logoChurnRate,
        revenueChurnRate,
        conversionRate,
        arpa,
        payingAtStart,
        payingAtEnd,
        churnedOrganizations,
        freeAtStart,
        converted,
        all,
        planFees,
        mrr.subtract(planFees));
  }
}
