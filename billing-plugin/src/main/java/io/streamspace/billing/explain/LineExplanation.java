package io.streamspace.billing.explain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.invoicing.CreditNote;
import io.streamspace.billing.invoicing.InvoiceView;
import java.math.BigDecimal;
import java.util.List;

/**
 * Why an invoice line is what it is: the line as on the invoice, how it is computed, and a page
 * of the records behind it, each down to the journaled events of its session.
 *
 * @param computation    the line's rule, in a sentence
 * @param recordCount    how many records the line has in all (pages of {@code records})
 * @param sums           what the records add up to, and how rounding makes the line
 * @param eventsRetained false when some record's events are no longer in the journal (or the
 *                       host keeps none): the explanation then stops at the usage records
 * @param eventsNote     a sentence saying where the explanation stops and why; null when it
 *                       reaches every record's events
 * @param nextOffset     the offset of the next page of records; null on the last
 * @param creditedBack   what the invoice's credit notes credited back of the line and why,
 *                       oldest first; absent when none did (the line itself, as invoiced, is
 *                       never changed by them)
 * @param discount       of a discount line: its coupon, the line it discounts, every line the
 *                       coupon discounts on the invoice and what they come to; else absent
 */
public record LineExplanation(
    long invoiceId,
    String currency,
    InvoiceView.Line line,
    String computation,
    long recordCount,
    Sums sums,
    boolean eventsRetained,
    String eventsNote,
    List<ExplainedRecord> records,
    Long nextOffset,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CreditNote.Credited> creditedBack,
    @JsonInclude(JsonInclude.Include.NON_NULL) DiscountApplied discount) {

  /**
   * The levels summed: the line is the exact sum of its records rounded once, half up, to the
   * minor unit; rounding each record on its own may add up to a cent or so more or less, which
   * {@code roundingDifference} shows and {@code roundingRule} says.
   *
   * @param total                the line's amount computed from all its records by the
   *                             invoice's rule
   * @param matchesLine          whether {@code total} is the line's amount as invoiced
   * @param sumOfRoundedRecords  Σ of the records' own rounded amounts
   * @param roundingDifference   the line's amount − {@code sumOfRoundedRecords}
   */
  public record Sums(
      BigDecimal total,
      boolean matchesLine,
      BigDecimal sumOfRoundedRecords,
      BigDecimal roundingDifference,
      BigDecimal roundingStep,
      String roundingRule) {}
}
