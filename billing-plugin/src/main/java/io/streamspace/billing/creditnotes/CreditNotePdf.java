package io.streamspace.billing.creditnotes;

import io.streamspace.billing.invoicing.CreditNote;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.pdf.PdfPages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A credit note as an A4 PDF of its own, as PDFBox writes the invoices ({@link PdfPages}): its
 * number and date, the invoice it credits, the account, its reason, a row per invoice line it
 * credits with the tax it reverses, its amount, tax and total, and where the money went: off the
 * amount due, onto the prepaid balance, back through the payment at Stripe, or recorded only.
 * Dates in the billing zone.
 */
public final class CreditNotePdf {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE;
  private static final float MARGIN = PdfPages.MARGIN;
  private static final float FONT_SIZE = PdfPages.FONT_SIZE;
  private static final float DESCRIPTION_WIDTH = 330;
  private static final float TAX_RIGHT = 470;
  private static final float AMOUNT_RIGHT = 545;
  private static final float TOTAL_LABEL_RIGHT = 400;

  private CreditNotePdf() {}

  /** The PDF's bytes. */
  public static byte[] render(CreditNote note, InvoiceView invoice, String email, ZoneId zone) {
    String currency = note.currency();
    try (PdfPages out = new PdfPages()) {
      out.bold(18).text(MARGIN, "Credit note " + note.creditNoteNumber());
      out.newLine().newLine();
      out.regular()
          .text(MARGIN, "Account: " + note.orgId() + (email == null ? "" : " <" + email + ">"));
      out.newLine().text(MARGIN, "Date: " + DATE.format(note.createdAt().atZone(zone)));
      out.newLine()
          .text(
              MARGIN,
              "Credits invoice "
                  + note.invoiceNumber()
                  + " (period "
                  + DATE.format(invoice.periodStart().atZone(zone))
                  + " to "
                  + DATE.format(invoice.periodEnd().atZone(zone))
                  + ")");
      for (String reason : out.wrap("Reason: " + note.reason(), AMOUNT_RIGHT - MARGIN)) {
        out.newLine().text(MARGIN, reason);
      }
      out.newLine().newLine();
      out.bold(FONT_SIZE)
          .text(MARGIN, "Invoice line")
          .right(TAX_RIGHT, "Tax")
          .right(AMOUNT_RIGHT, "Amount");
      out.regular();
      for (CreditNote.Line line : note.lines()) {
        List<String> text =
            out.wrap("Line " + line.lineNo() + ": " + line.description(), DESCRIPTION_WIDTH);
        out.newLine()
            .text(MARGIN, text.get(0))
            .right(TAX_RIGHT, line.tax().toPlainString())
            .right(AMOUNT_RIGHT, line.amount().toPlainString());
        for (String more : text.subList(1, text.size())) {
          out.newLine().text(MARGIN, more);
        }
      }
      out.newLine();
      total(out, "Amount", note.amount().toPlainString(), currency);
      total(out, "Tax reversed", note.tax().toPlainString(), currency);
      out.bold(FONT_SIZE);
      total(out, "Total credited", note.total().toPlainString(), currency);
      out.regular();
      if (note.amountDueLowered().signum() > 0) {
        total(out, "Off the amount due", note.amountDueLowered().toPlainString(), currency);
      }
      var givenBack = note.total().subtract(note.amountDueLowered());
      if (givenBack.signum() > 0) {
        total(out, givenBack(note.refund()), givenBack.toPlainString(), currency);
      }
      return out.finish();
    } catch (IOException e) {
      // in-memory rendering: an I/O error here is a bug, not a condition to handle
      throw new UncheckedIOException(e);
    }
  }

  /** The attachment's file name: the note's number. */
  public static String fileName(CreditNote note) {
    return note.creditNoteNumber().replaceAll("[^A-Za-z0-9._-]", "_") + ".pdf";
  }

  private static String givenBack(String refund) {
    return switch (refund) {
      case "balance" -> "Onto the prepaid balance";
      case "payment_method" -> "Refunded to the payment method";
      default -> "Given back otherwise (recorded only)";
    };
  }

  private static void total(PdfPages out, String label, String amount, String currency)
      throws IOException {
    out.newLine().right(TOTAL_LABEL_RIGHT, label).right(AMOUNT_RIGHT, amount + " " + currency);
  }
}
