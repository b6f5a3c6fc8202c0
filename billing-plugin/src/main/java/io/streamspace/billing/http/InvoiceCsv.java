package io.streamspace.billing.http;

import io.streamspace.billing.invoicing.CreditNote;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.billing.tax.TaxLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVPrinter;

/**
 * An invoice as CSV ({@code GET /invoices/{id}/csv}): a row per line ({@code line}), per tax
 * row Stripe Tax calculated ({@code tax}: the line taxed, where, type, rate, taxability, reverse
 * charge) and per total ({@code total}: subtotal, tax, total excluding and including tax, credits
 * applied, the prepaid balance applied when it paid some, total), then a row per line each of
 * its credit notes credits ({@code credit_note}: the line, the note's number as kind, its reason,
 * the amount negative; the tax it reverses as {@code credit_note_tax}) and, with any, {@code
 * credited} and {@code amount_due} totals. Without a calculated tax its {@code tax} total says
 * "Tax not calculated". A credit note alone: {@link #creditNote}.
 */
final class InvoiceCsv {

  static final List<String> COLUMNS =
      List.of(
          "row",
          "line_no",
          "kind",
          "description",
          "quantity",
          "unit",
          "unit_price",
          "amount",
          "taxable_amount",
          "rate_percentage",
          "jurisdiction",
          "country",
          "state",
          "tax_type",
          "taxability_reason",
          "reverse_charge",
          "currency");

  private InvoiceCsv() {}

  static byte[] render(WithLines document) throws IOException {
    InvoiceView invoice = document.invoice();
    String currency = invoice.currency();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CSVPrinter printer = ReportFormat.csvPrinter(out, COLUMNS)) {
      for (Line line : document.lines()) {
        printer.printRecord(
            row(
                "line",
                Integer.toString(line.lineNo()),
                line.kind(),
                ReportFormat.inert(line.description()),
                text(line.quantity()),
                line.unit(),
                text(line.unitPrice()),
                text(line.amount()),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                currency));
      }
      for (TaxLine tax : document.taxLines()) {
        printer.printRecord(
            row(
                "tax",
                Integer.toString(tax.lineNo()),
                "tax",
                "",
                "",
                "",
                "",
                text(tax.amount()),
                text(tax.taxableAmount()),
                text(tax.percentage()),
                ReportFormat.inert(tax.jurisdiction()),
                tax.country(),
                tax.state(),
                tax.taxType(),
                tax.taxabilityReason(),
                Boolean.toString(tax.reverseCharge()),
                currency));
      }
      total(printer, "subtotal", text(invoice.subtotal()), currency);
      total(
          printer,
          "tax",
          invoice.tax() == null ? InvoiceView.TAX_NOT_CALCULATED_TEXT : text(invoice.tax()),
          currency);
      if (invoice.totalExcludingTax() != null) {
        total(printer, "total_excluding_tax", text(invoice.totalExcludingTax()), currency);
        total(printer, "total_including_tax", text(invoice.totalIncludingTax()), currency);
      }
      total(printer, "credits_applied", text(invoice.creditsApplied().negate()), currency);
      if (invoice.balanceApplied().signum() > 0) { // only of an invoice the balance paid
        total(printer, "balance_applied", text(invoice.balanceApplied().negate()), currency);
      }
      total(printer, "total", text(invoice.total()), currency);
      creditNotes(printer, document.creditNotes(), currency);
      if (!document.creditNotes().isEmpty()) {
        total(printer, "credited", text(invoice.credited().negate()), currency);
        total(printer, "amount_due", text(invoice.amountDue()), currency);
      }
    }
    return out.toByteArray();
  }

  private static void creditNotes(CSVPrinter printer, List<CreditNote> notes, String currency)
      throws IOException {
    for (CreditNote note : notes) {
      for (CreditNote.Line line : note.lines()) {
        creditRow(printer, "credit_note", note, line, line.amount(), currency);
        if (line.tax().signum() > 0) {
          creditRow(printer, "credit_note_tax", note, line, line.tax(), currency);
        }
      }
    }
  }

  /** A row of what a note credits of a line: the note's number as kind, its reason, negative. */
  private static void creditRow(
      CSVPrinter printer,
      String row,
      CreditNote note,
      CreditNote.Line line,
      BigDecimal credited,
      String currency)
      throws IOException {
    List<String> values = row(row, Integer.toString(line.lineNo()), note.creditNoteNumber());
    values.add(ReportFormat.inert(note.reason()));
    values.addAll(List.of("", "", "", text(credited.negate())));
    values.addAll(List.of("", "", "", "", "", "", "", ""));
    values.add(currency);
    printer.printRecord(values);
  }

  /** A credit note's own CSV columns. */
  static final List<String> CREDIT_NOTE_COLUMNS =
      List.of("row", "line_no", "description", "amount", "tax", "currency");

  /**
   * A credit note as CSV ({@code GET /invoices/{id}/credit-notes/{cn}/csv}): a {@code line} row
   * per line it credits (the invoice line, its description, the amount and the tax reversed),
   * then its {@code total} rows: amount, tax, total, what it lowered of the amount due, and what
   * it gave back (the refund in the description).
   */
  static byte[] creditNote(CreditNote note) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String currency = note.currency();
    try (CSVPrinter printer = ReportFormat.csvPrinter(out, CREDIT_NOTE_COLUMNS)) {
      for (CreditNote.Line line : note.lines()) {
        printer.printRecord(
            "line",
            Integer.toString(line.lineNo()),
            ReportFormat.inert(line.description()),
            text(line.amount()),
            text(line.tax()),
            currency);
      }
      printer.printRecord("total", "", "amount", text(note.amount()), "", currency);
      printer.printRecord("total", "", "tax", text(note.tax()), "", currency);
      printer.printRecord("total", "", "total", text(note.total()), "", currency);
      printer.printRecord(
          "total", "", "amount_due_lowered", text(note.amountDueLowered()), "", currency);
      printer.printRecord(
          "total",
          "",
          "given_back (" + note.refund() + ")",
          text(note.total().subtract(note.amountDueLowered())),
          "",
          currency);
    }
    return out.toByteArray();
  }

  private static void total(CSVPrinter printer, String kind, String amount, String currency)
      throws IOException {
    printer.printRecord(
        row("total", "", kind, "", "", "", "", amount, "", "", "", "", "", "", "", "", currency));
  }

  private static List<String> row(String... values) {
    return new ArrayList<>(Arrays.asList(values));
  }

  private static String text(BigDecimal value) {
    return value == null ? "" : value.toPlainString();
  }
}
