package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.MemberAmount;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.pdf.PdfPages;
import io.streamspace.billing.rating.UsageSum;
import io.streamspace.billing.tax.TaxLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Renders an invoice as a one-or-more-page A4 PDF with PDFBox: the account, the period, the
 * number (or DRAFT), status, due date, every line, credits, the prepaid balance applied (when it
 * paid some) and totals, its credit notes with what is left due, and a team organization's
 * breakdown by member. Times are shown in the
 * billing zone. Embeds DejaVu Sans (a subset of the glyphs used), shipped in the plugin, so an
 * invoice looks the same on every machine and nothing is read from it.
 */
public final class InvoicePdf {

  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE;
  // Page layout in PDF points: PDFBox takes float coordinates. No amount is ever a float; amounts
  // are BigDecimal, formatted as text.
  private static final float MARGIN = PdfPages.MARGIN;
  private static final float FONT_SIZE = PdfPages.FONT_SIZE;
  // table columns: description wraps within its column; the others are right-aligned at these x
  private static final float DESCRIPTION_WIDTH = 230;
  private static final float QUANTITY_RIGHT = 345;
  private static final float UNIT_X = 355;
  private static final float UNIT_PRICE_RIGHT = 480;
  private static final float AMOUNT_RIGHT = 545;
  // totals carry their currency: their labels end further left to leave the amount room
  private static final float TOTAL_LABEL_RIGHT = 400;

  private InvoicePdf() {}

  /** The PDF's bytes. */
  public static byte[] render(WithLines document, String email, ZoneId zone) {
    InvoiceView invoice = document.invoice();
    String currency = invoice.currency();
    try (PdfPages out = new PdfPages()) {
      out.bold(18).text(MARGIN, "Invoice " + number(invoice));
      out.newLine().newLine();
      out.regular()
          .text(MARGIN, "Account: " + invoice.userId() + (email == null ? "" : " <" + email + ">"));
      out.newLine()
          .text(
              MARGIN,
              "Period: "
                  + DATE_TIME.format(invoice.periodStart().atZone(zone))
                  + " to "
                  + DATE_TIME.format(invoice.periodEnd().atZone(zone))
                  + " ("
                  + zone.getId()
                  + ")");
      out.newLine().text(MARGIN, "Status: " + invoice.status());
      out.newLine()
          .text(
              MARGIN,
              "Due date: "
                  + (invoice.dueDate() == null
                      ? "-"
                      : DATE.format(invoice.dueDate().atZone(zone))));
      out.newLine().newLine();
      out.bold(FONT_SIZE)
          .text(MARGIN, "Description")
          .right(QUANTITY_RIGHT, "Quantity")
          .text(UNIT_X, "Unit")
          .right(UNIT_PRICE_RIGHT, "Unit price")
          .right(AMOUNT_RIGHT, "Amount");
      out.regular();
      if (document.lines().isEmpty()) {
        out.newLine()
            .text(
                MARGIN,
                invoice.invoiceNumber() == null
                    ? "No lines yet: the draft is computed when the period closes."
                    : "No lines.");
      }
      for (Line line : document.lines()) {
        List<String> description = out.wrap(line.description(), DESCRIPTION_WIDTH);
        out.newLine()
            .text(MARGIN, description.get(0))
            .right(QUANTITY_RIGHT, plain(line.quantity()))
            .text(UNIT_X, line.unit() == null ? "" : line.unit())
            .right(UNIT_PRICE_RIGHT, plain(line.unitPrice()))
            .right(AMOUNT_RIGHT, line.amount().toPlainString());
        for (String more : description.subList(1, description.size())) {
          out.newLine().text(MARGIN, more);
        }
      }
      taxLines(out, document.taxLines());
      out.newLine().newLine();
      total(out, "Subtotal", invoice.subtotal().toPlainString(), currency);
      if (invoice.tax() == null) {
        // never a rate of our own: Stripe Tax did not calculate it
        out.newLine()
            .right(
                AMOUNT_RIGHT,
                InvoiceView.TAX_FAILED.equals(invoice.taxStatus())
                    ? InvoiceView.TAX_NOT_CALCULATED_TEXT + " (failed; retried)"
                    : InvoiceView.TAX_NOT_CALCULATED_TEXT);
      } else {
        total(out, "Tax", invoice.tax().toPlainString(), currency);
      }
      if (invoice.totalExcludingTax() != null) {
        total(out, "Total excluding tax", invoice.totalExcludingTax().toPlainString(), currency);
        total(out, "Total including tax", invoice.totalIncludingTax().toPlainString(), currency);
      }
      total(out, "Credits applied", invoice.creditsApplied().negate().toPlainString(), currency);
      if (invoice.balanceApplied().signum() > 0) { // only of an invoice the balance paid
        total(
            out,
            "Prepaid balance applied",
            invoice.balanceApplied().negate().toPlainString(),
            currency);
      }
      out.bold(FONT_SIZE);
      total(out, "Total", invoice.total().toPlainString(), currency);
      if (document.totalSaved() != null) { // only of an invoice with idle or hibernated lines
        out.regular();
        total(out, savedBy(document.lines()), document.totalSaved().toPlainString(), currency);
      }
      if (!document.creditNotes().isEmpty()) {
        creditNotes(out, document, zone, currency);
      }
      if (document.byMember() != null) {
        byMember(out, document, currency);
      }
      return out.finish();
    } catch (IOException e) {
      // in-memory rendering: an I/O error here is a bug, not a condition to handle
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tax Stripe Tax calculated, a row per line and jurisdiction: the line, where, the tax's
   * type and rate (as Stripe gave it), and a reverse charge marked as such.
   */
  private static void taxLines(PdfPages out, List<TaxLine> taxLines) throws IOException {
    if (taxLines.isEmpty()) {
      return;
    }
    out.newLine().newLine();
    out.bold(FONT_SIZE).text(MARGIN, "Tax").right(AMOUNT_RIGHT, "Amount");
    out.regular();
    for (TaxLine tax : taxLines) {
      List<String> description = out.wrap(describe(tax), UNIT_PRICE_RIGHT - MARGIN);
      out.newLine()
          .text(MARGIN, description.get(0))
          .right(AMOUNT_RIGHT, tax.amount().toPlainString());
      for (String more : description.subList(1, description.size())) {
        out.newLine().text(MARGIN, more);
      }
    }
  }

  /** {@code "Line 1: California (US-CA) sales_tax 7.25 % of 100.00"}, reverse charge marked. */
  static String describe(TaxLine tax) {
    StringBuilder text = new StringBuilder("Line ").append(tax.lineNo()).append(": ");
    text.append(tax.jurisdiction() == null ? "-" : tax.jurisdiction());
    if (tax.country() != null) {
      text.append(" (")
          .append(tax.country())
          .append(tax.state() == null ? "" : "-" + tax.state())
          .append(')');
    }
    if (tax.taxType() != null) {
      text.append(' ').append(tax.taxType());
    }
    if (tax.percentage() != null) {
      text.append(' ').append(tax.percentage().toPlainString()).append(" %");
    }
    text.append(" of ").append(tax.taxableAmount().toPlainString());
    if (tax.reverseCharge()) {
      text.append(", reverse charge: the customer accounts for the tax");
    } else if (tax.taxabilityReason() != null && !"standard_rated".equals(tax.taxabilityReason())) {
      text.append(" (").append(tax.taxabilityReason()).append(')');
    }
    return text.toString();
  }

  /**
   * Its credit notes, each with its number, date, reason and what it gave back; then what they
   * credited in all and what is left due. The invoice's own figures above are as finalized.
   */
  private static void creditNotes(PdfPages out, WithLines document, ZoneId zone, String currency)
      throws IOException {
    out.newLine().newLine();
    out.bold(FONT_SIZE).text(MARGIN, "Credit notes").right(AMOUNT_RIGHT, "Total");
    out.regular();
    for (CreditNote note : document.creditNotes()) {
      String head =
          note.creditNoteNumber()
              + " of "
              + DATE.format(note.createdAt().atZone(zone))
              + ", lines "
              + note.lines().stream()
                  .map(l -> Integer.toString(l.lineNo()))
                  .reduce((a, b) -> a + ", " + b)
                  .orElse("")
              + ": "
              + note.reason();
      List<String> text = out.wrap(head, UNIT_PRICE_RIGHT - MARGIN);
      out.newLine()
          .text(MARGIN, text.get(0))
          .right(AMOUNT_RIGHT, note.total().negate().toPlainString());
      for (String more : text.subList(1, text.size())) {
        out.newLine().text(MARGIN, more);
      }
    }
    InvoiceView invoice = document.invoice();
    total(out, "Credited", invoice.credited().negate().toPlainString(), currency);
    out.bold(FONT_SIZE);
    total(out, "Amount due", invoice.amountDue().toPlainString(), currency);
    out.regular();
  }

  /** The attachment's file name: the invoice number, or DRAFT and the id. */
  public static String fileName(InvoiceView invoice) {
    return (invoice.invoiceNumber() == null
            ? "DRAFT-" + invoice.id()
            : invoice.invoiceNumber().replaceAll("[^A-Za-z0-9._-]", "_"))
        + ".pdf";
  }

  private static String number(InvoiceView invoice) {
    return invoice.invoiceNumber() == null ? "DRAFT" : invoice.invoiceNumber();
  }

  private static void total(PdfPages out, String label, String amount, String currency)
      throws IOException {
    out.newLine().right(TOTAL_LABEL_RIGHT, label).right(AMOUNT_RIGHT, amount + " " + currency);
  }

  /**
   * A team's breakdown: each member's amount, then the organization's, adding up to the
   * subtotal (credits apply to the whole invoice).
   */
  private static void byMember(PdfPages out, WithLines document, String currency)
      throws IOException {
    out.newLine().newLine();
    out.bold(FONT_SIZE).text(MARGIN, "By member (of the subtotal, before credits)");
    out.regular();
    for (MemberAmount member : document.byMember()) {
      total(out, member.userId(), member.amount().toPlainString(), currency);
    }
    // plan fees, packs, storage: what no member's sessions or reports made
    total(out, "Organization", document.organizationAmount().toPlainString(), currency);
  }

  private static String plain(BigDecimal value) {
    return value == null ? "" : value.toPlainString();
  }

  /** What the lines' savings come from: idle prices, hibernation, or both. */
  private static String savedBy(List<Line> lines) {
    boolean hibernated =
        lines.stream().anyMatch(line -> UsageSum.HIBERNATED.equals(line.activity()));
    boolean idle =
        lines.stream()
            .anyMatch(
                line -> line.activity() != null && !UsageSum.HIBERNATED.equals(line.activity()));
    return "Saved by "
        + (idle && hibernated
            ? "idle pricing and hibernation"
            : hibernated ? "hibernation" : "idle pricing");
  }
}
