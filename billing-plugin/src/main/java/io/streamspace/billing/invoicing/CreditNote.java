package io.streamspace.billing.invoicing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A credit note as it is stored and shown (the invoice's {@code credit_notes}, the issuing
 * route's answer, {@code billing.credit_note.issued}): money given back on one finalized
 * invoice, by line, under its own gapless number. Issued by {@code creditnotes.CreditNotes};
 * read here, with its invoice. Amounts have the currency's decimals.
 *
 * @param amount          what it credits of the lines, as the lines are written (before tax when
 *                        the invoice's tax is exclusive, tax included when inclusive)
 * @param tax             the lines' tax it reverses, each line's in proportion to what it
 *                        credits of the line (0 on an invoice without calculated tax)
 * @param total           what it gives back in all: amount + tax (exclusive tax), amount
 *                        (inclusive tax, or none)
 * @param amountDueLowered the part of {@code total} that lowered what the invoice had due (an
 *                        unpaid invoice); the rest is given back as {@code refund} says
 * @param refund          {@code balance}, {@code payment_method} or {@code none}
 * @param stripeStatus    the work left at Stripe (a refund, the Stripe Credit Note mirror):
 *                        {@code none}, {@code pending}, {@code sent} or {@code failed}
 * @param stripeError     why Stripe refused or could not be reached, while pending or failed
 */
public record CreditNote(
    long id,
    String creditNoteNumber,
    long invoiceId,
    String invoiceNumber,
    String orgId,
    String currency,
    BigDecimal amount,
    BigDecimal tax,
    BigDecimal total,
    BigDecimal amountDueLowered,
    String refund,
    String reason,
    List<Line> lines,
    Instant createdAt,
    String stripeStatus,
    String stripeError) {

  public CreditNote {
    lines = List.copyOf(lines);
  }

  /** What it credits of one invoice line, and that line's tax it reverses. */
  public record Line(int lineNo, String description, BigDecimal amount, BigDecimal tax) {}

  /** One note's part of one line, as the line's explanation shows it ({@code credited_back}). */
  public record Credited(
      long creditNoteId,
      String creditNoteNumber,
      BigDecimal amount,
      BigDecimal tax,
      String reason,
      String refund,
      Instant createdAt) {

    Credited(CreditNote note, Line line) {
      this(
          note.id(),
          note.creditNoteNumber(),
          line.amount(),
          line.tax(),
          note.reason(),
          note.refund(),
          note.createdAt());
    }
  }
}
