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
import java.util.Currency;
import java.util.List;

/** A prepaid line's record: the balance's entry that paid the invoice, and what it left. */
final class BalanceRecords {

  // the invoice's payment from the balance (PrepaidLedger: source invoice:<id>, one at most)
  private static final NamedSql PAID =
      NamedSql.of(
          """
          SELECT id, amount, balance_after, created_at FROM billing_prepaid_entries
          WHERE source = 'invoice:' || :invoice_id AND kind = 'invoice_applied'""");

  private BalanceRecords() {}

  static Records of(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    try (PreparedStatement statement =
            PAID.bind("invoice_id", document.invoice().id()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("no payment from the balance of the invoice");
      }
      BigDecimal paid = Money.shown(rs.getBigDecimal(2), currency);
      BigDecimal left = rs.getBigDecimal(3);
      ExplainedRecord entry =
          new ExplainedRecord(
              1,
              "balance_entry",
              null,
              null,
              rs.getTimestamp(4).toInstant(),
              rs.getTimestamp(4).toInstant(),
              null,
              null,
              null,
              null,
              paid,
              Figures.step(currency),
              paid,
              "entry "
                  + rs.getLong(1)
                  + " of the prepaid balance: "
                  + MoneyText.of(paid.negate(), currency)
                  + " paid of what the credits left, "
                  + MoneyText.of(left, currency)
                  + " left after it (GET /balance)",
              null,
              List.of());
      return new Records.Listed(
          "What the organization's prepaid balance paid of the invoice after its credits, at most"
              + " what it had available: negative.",
          List.of(entry),
          line.amount());
    }
  }
}
