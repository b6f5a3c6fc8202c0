package io.streamspace.billing.http;

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
 * applied, the prepaid balance applied when it paid some, total). Without a calculated tax its
 * {@code tax} total says "Tax not calculated".
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
