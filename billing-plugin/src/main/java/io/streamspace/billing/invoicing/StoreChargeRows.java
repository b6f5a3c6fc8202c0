package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.StoreCharges.StoreCharge;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store purchases an invoice bills, read for {@link StoreCharges}: the organization's
 * purchases paid on its invoice, active, on no invoice yet and bought before the invoice's end
 * (finalization claims them, {@code invoice_id}, so each is billed once; a preview only reads
 * them). A purchase refunded before an invoice claimed it is never billed; a voided invoice gives
 * its purchases back to the next one ({@link InvoiceStatusChanges}). Read as {@link
 * PackChargeRows.OneTimeRead} says, like the one-time packs.
 */
final class StoreChargeRows {

  private static final String UNBILLED =
      """
      unnest(:invoice_id::text[]::bigint[], :user_id::text[], :period_end::text[]::timestamptz[])
        WITH ORDINALITY AS w(invoice_id, user_id, period_end, ord)
      JOIN billing_store_purchases p
        ON p.account_id = w.user_id AND p.pay = 'invoice' AND p.invoice_id IS NULL
       AND p.status = 'active' AND p.purchased_at < w.period_end AND p.purchased_at >= :from""";

  private static final String ROW =
      "p.id, p.item_name, v.version, p.price, p.purchased_at, p.access_from, p.access_until,"
          + " p.currency";

  // a purchase two invoices of one organization could both bill goes to the earlier in the chunk;
  // the UPDATE checks the status again, for a refund committed while the claim waited for its row
  private static final NamedSql CLAIMED =
      NamedSql.of(
          """
          WITH billed AS (
            SELECT DISTINCT ON (p.id) p.id, w.invoice_id, w.ord
            FROM %s
            ORDER BY p.id, w.ord)
          UPDATE billing_store_purchases p SET invoice_id = b.invoice_id
          FROM billed b, billing_store_item_versions v
          WHERE p.id = b.id AND p.invoice_id IS NULL AND p.status = 'active'
            AND v.id = p.version_id
          RETURNING b.ord, %s"""
              .formatted(UNBILLED, ROW));

  private static final NamedSql PEEKED =
      NamedSql.of(
          """
          SELECT w.ord, %s
          FROM %s
          JOIN billing_store_item_versions v ON v.id = p.version_id"""
              .formatted(ROW, UNBILLED));

  private static final NamedSql BILLED_BY =
      NamedSql.of(
          """
          SELECT w.ord, %s
          FROM unnest(:invoice_id::text[]::bigint[]) WITH ORDINALITY AS w(invoice_id, ord)
          JOIN billing_store_purchases p ON p.invoice_id = w.invoice_id
          JOIN billing_store_item_versions v ON v.id = p.version_id"""
              .formatted(ROW));

  private StoreChargeRows() {}

  /** The store charges each invoice bills, in order of the invoices, by one statement. */
  static List<List<StoreCharge>> of(
      Connection connection, List<Invoice> invoices, PackChargeRows.OneTimeRead read, Instant from)
      throws SQLException {
    List<List<StoreCharge>> charges = new ArrayList<>();
    invoices.forEach(i -> charges.add(new ArrayList<>()));
    NamedSql.Binding query =
        switch (read) {
          case CLAIM ->
              CLAIMED
                  .bind("from", from)
                  .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                  .bind("period_end", SqlArrays.array(connection, invoices, Invoice::periodEnd));
          case PEEK ->
              PEEKED
                  .bind("from", from)
                  .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                  .bind("period_end", SqlArrays.array(connection, invoices, Invoice::periodEnd));
          case BILLED -> BILLED_BY.binding();
        };
    try (PreparedStatement statement =
            query
                .bind("invoice_id", SqlArrays.array(connection, invoices, Invoice::id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Invoice invoice = invoices.get(rs.getInt(1) - 1);
        if (!invoice.currency().getCurrencyCode().equals(rs.getString(9))) {
          // never bill 4.99 USD as 4.99 VND: the finalization rolls back and logs it
          throw new IllegalStateException(
              "store purchase %d of %s was bought in %s, not billed on an invoice in %s"
                  .formatted(rs.getLong(2), invoice.orgId(), rs.getString(9), invoice.currency()));
        }
        charges
            .get(rs.getInt(1) - 1)
            .add(
                new StoreCharge(
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getBigDecimal(5),
                    Sql.instant(rs.getTimestamp(6)),
                    Sql.instant(rs.getTimestamp(7)),
                    Sql.instant(rs.getTimestamp(8))));
      }
    }
    return charges;
  }
}
