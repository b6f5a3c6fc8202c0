package io.streamspace.billing.invoicing;

import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The lines of a chunk's invoices as finalization stores them, in one statement for the chunk:
 * each invoice's charges (its discount lines last among them, each naming the line it discounts
 * and its redemption), then the credits applied to it and what its prepaid balance paid
 * (negative lines), numbered from 1. A finalized invoice's lines never change after.
 */
final class FinalizedLines {

  // every line of a chunk's invoices, one row per element of the arrays
  private static final NamedSql LINES =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description,
              resource_type, quantity, unit, unit_price, amount, period_start, period_end,
              activity, saved, discounts_line, redemption_id)
          SELECT * FROM unnest(:invoice_id::text[]::bigint[], :line_no::text[]::int[],
                               :kind::text[], :description::text[], :resource_type::text[],
                               :quantity::text[]::numeric[], :unit::text[],
                               :unit_price::text[]::numeric[], :amount::text[]::numeric[],
                               :period_start::text[]::timestamptz[],
                               :period_end::text[]::timestamptz[], :activity::text[],
                               :saved::text[]::numeric[], :discounts_line::text[]::int[],
                               :redemption_id::text[]::bigint[])""");

  /**
   * One line of an invoice of the chunk, for {@link #LINES}: the line as the invoice shows it,
   * and for a discount line the redemption whose coupon it is (null for any other).
   */
  private record StoredLine(long invoiceId, InvoiceView.Line line, Long redemptionId) {

    StoredLine(long invoiceId, InvoiceView.Line line) {
      this(invoiceId, line, null);
    }
  }

  private FinalizedLines() {}

  /** How a payment from the prepaid balance reads on the invoice. */
  static final String PREPAID_DESCRIPTION = "Paid from the prepaid balance";

  /**
   * Stores the chunk's lines: each invoice's charges, then its credits, then what the prepaid
   * balance paid of it ({@code prepaid}, by invoice; no line when zero), numbered from 1.
   */
  static void store(
      Connection connection,
      List<Invoice> drafts,
      List<InvoiceCalculator.Billed> billed,
      List<List<Application>> credits,
      List<BigDecimal> prepaid)
      throws SQLException {
    List<StoredLine> lines = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      int lineNo = 0;
      Map<Integer, Discounts.DiscountLine> discounts = new HashMap<>();
      billed.get(i).discounts().forEach(d -> discounts.put(d.index(), d));
      for (ChargeLine c : billed.get(i).lines()) {
        Discounts.DiscountLine discount = discounts.get(lineNo);
        lines.add(
            new StoredLine(
                draft.id(),
                new InvoiceView.Line(
                    ++lineNo,
                    c.kind().name().toLowerCase(Locale.ROOT),
                    c.description(),
                    c.unit() == null ? null : c.unit().resourceType(),
                    c.quantity(),
                    c.unit() == null ? null : c.unit().label(),
                    c.unitPrice(),
                    c.amount(),
                    c.from(),
                    c.to(),
                    c.activity(),
                    c.saved(),
                    discount == null ? null : discount.discounted() + 1),
                discount == null ? null : discount.discount().redemptionId()));
      }
      for (Application a : credits.get(i)) {
        lines.add(
            new StoredLine(
                draft.id(),
                new InvoiceView.Line(
                    ++lineNo,
                    "credit",
                    "Credit: " + a.reason(),
                    null,
                    null,
                    null,
                    null,
                    a.amount().negate(),
                    draft.periodStart(),
                    draft.periodEnd())));
      }
      if (prepaid.get(i).signum() > 0) {
        lines.add(
            new StoredLine(
                draft.id(),
                new InvoiceView.Line(
                    ++lineNo,
                    "prepaid",
                    PREPAID_DESCRIPTION,
                    null,
                    null,
                    null,
                    null,
                    prepaid.get(i).negate(),
                    draft.periodStart(),
                    draft.periodEnd())));
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    LINES
        .bind("invoice_id", SqlArrays.array(connection, lines, StoredLine::invoiceId))
        .bind("line_no", column(connection, lines, InvoiceView.Line::lineNo))
        .bind("kind", column(connection, lines, InvoiceView.Line::kind))
        .bind("description", column(connection, lines, InvoiceView.Line::description))
        .bind("resource_type", column(connection, lines, InvoiceView.Line::resourceType))
        .bind("quantity", column(connection, lines, InvoiceView.Line::quantity))
        .bind("unit", column(connection, lines, InvoiceView.Line::unit))
        .bind("unit_price", column(connection, lines, InvoiceView.Line::unitPrice))
        .bind("amount", column(connection, lines, InvoiceView.Line::amount))
        .bind("period_start", column(connection, lines, InvoiceView.Line::periodStart))
        .bind("period_end", column(connection, lines, InvoiceView.Line::periodEnd))
        .bind("activity", column(connection, lines, InvoiceView.Line::activity))
        .bind("saved", column(connection, lines, InvoiceView.Line::saved))
        .bind("discounts_line", column(connection, lines, InvoiceView.Line::discountsLine))
        .bind("redemption_id", SqlArrays.array(connection, lines, StoredLine::redemptionId))
        .update(connection);
  }

  private static Array column(
      Connection connection, List<StoredLine> lines, Function<InvoiceView.Line, ?> field)
      throws SQLException {
    return SqlArrays.array(connection, lines, stored -> field.apply(stored.line()));
  }
}
