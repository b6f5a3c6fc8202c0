package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * A prepaid line's records: the balance's entries that paid the invoice, each with what it left:
 * the burns it settled (taken as its usage was rated), and its settlement's entry (what it took
 * beyond them, or what it gave back of them).
 */
final class BalanceRecords {

  // the invoice's settlement (BalanceApplier: source invoice:<id> or invoice:<id>:burns, one at
  // most) and the burns it settled, in their order
  private static final NamedSql PAID =
      NamedSql.of(
          """
          SELECT e.id, e.kind, e.amount, e.balance_after, e.created_at
          FROM billing_prepaid_entries e
          WHERE e.source IN ('invoice:' || :invoice_id, 'invoice:' || :invoice_id || ':burns')
             OR e.id IN (SELECT b.entry_id FROM billing_prepaid_burns b
                         WHERE b.settled_by = :invoice_id)
          ORDER BY e.id""");

  private BalanceRecords() {}

  static Records of(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    List<ExplainedRecord> entries = new ArrayList<>();
    try (PreparedStatement statement =
            PAID.bind("invoice_id", document.invoice().id()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String kind = rs.getString(2);
        BigDecimal paid = Money.shown(rs.getBigDecimal(3), currency);
        BigDecimal left = rs.getBigDecimal(4);
        String what =
            switch (kind) {
              case "burn" -> " taken as its usage was rated, ";
              case "burn_returned" -> " given back of the burns beyond what it needed, ";
              default -> " paid of what the credits and the burns left, ";
            };
        entries.add(
            new ExplainedRecord(
                entries.size() + 1,
                "balance_entry",
                null,
                null,
                rs.getTimestamp(5).toInstant(),
                rs.getTimestamp(5).toInstant(),
                null,
                null,
                null,
                null,
                paid,
                Figures.step(currency),
                paid,
                "entry "
                    + rs.getLong(1)
                    + " of the prepaid balance ("
                    + kind
                    + "): "
                    + MoneyText.of(paid.abs(), currency)
                    + what
                    + MoneyText.of(left, currency)
                    + " left after it (GET /balance)",
                null,
                List.of()));
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalStateException("no payment from the balance of the invoice");
    }
    return new Records.Listed(
        "What the organization's prepaid balance paid of the invoice after its credits, at most"
            + " what it had available: its burns settled and its settlement's entry, negative"
            + " (an entry giving back burns positive).",
        entries,
        line.amount());
  }
}
