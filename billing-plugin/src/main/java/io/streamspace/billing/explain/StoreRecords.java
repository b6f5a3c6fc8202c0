package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/** A store line's record: the purchase it bills, who bought what and when, at what price. */
final class StoreRecords {

  // in the order invoicing writes their lines (StoreCharges.BOUGHT)
  private static final NamedSql BILLED =
      NamedSql.of(
          """
          SELECT p.id, p.item_name, v.version, p.bought_by, p.purchased_at, p.access_from,
                 p.access_until, p.price, p.status
          FROM billing_store_purchases p JOIN billing_store_item_versions v ON v.id = p.version_id
          WHERE p.invoice_id = :invoice_id ORDER BY p.purchased_at, p.id""");

  private StoreRecords() {}

  /** A store line: the k-th store line of the invoice bills the k-th purchase it claimed. */
  static Records of(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    int k = Records.placeAmongItsKind(document, line);
    List<ExplainedRecord> purchases = new ArrayList<>();
    try (PreparedStatement statement =
            BILLED.bind("invoice_id", document.invoice().id()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal price = rs.getBigDecimal(8);
        BigDecimal amount = Money.lineTotal(price, BigDecimal.ONE, currency);
        purchases.add(
            new ExplainedRecord(
                1,
                "store_purchase",
                null,
                rs.getString(4),
                Sql.instant(rs.getTimestamp(6)),
                Sql.instant(rs.getTimestamp(7)),
                null,
                BigDecimal.ONE,
                "item",
                price,
                amount,
                Figures.step(currency),
                amount,
                "store purchase %d: %s %s bought by %s at %s%s"
                    .formatted(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        Sql.instant(rs.getTimestamp(5)),
                        "refunded".equals(rs.getString(9))
                            ? ", refunded since (credited back)"
                            : ""),
                null,
                List.of()));
      }
    }
    boolean found = k < purchases.size() && purchases.get(k).amount().compareTo(line.amount()) == 0;
    if (!found && "void".equals(document.invoice().status())) {
      return givenBack(line, currency);
    }
    if (!found) {
      throw new IllegalStateException(
          "no store purchase of " + line.amount() + " billed by the invoice at line " + k);
    }
    return new Records.Listed(
        "An item bought in the add-on store, paid on this invoice: its price as bought, once.",
        List.of(purchases.get(k)),
        purchases.get(k).amount());
  }

  /**
   * A line of a voided invoice: its purchase went back to the organization's next invoice when
   * this one was voided, so the line is explained as it was billed.
   */
  private static Records givenBack(Line line, Currency currency) {
    BigDecimal amount = Money.lineTotal(line.unitPrice(), BigDecimal.ONE, currency);
    return new Records.Listed(
        "An item bought in the add-on store, billed here at its price; this invoice was voided,"
            + " and the purchase went to the organization's next invoice.",
        List.of(
            new ExplainedRecord(
                1,
                "store_purchase",
                null,
                null,
                line.periodStart(),
                line.periodEnd(),
                null,
                BigDecimal.ONE,
                "item",
                line.unitPrice(),
                amount,
                Figures.step(currency),
                amount,
                line.description() + ", given back to the next invoice when this one was voided",
                null,
                List.of())),
        amount);
  }
}
