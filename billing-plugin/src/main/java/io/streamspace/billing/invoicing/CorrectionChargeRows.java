package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.CorrectionCharges.CorrectionCharge;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The correction charges an invoice bills, read for {@link CorrectionCharges}: the organization's
 * charges on no invoice yet in the invoice's currency, whatever period they correct (the next
 * invoice finalized bills them: finalization claims them, {@code invoice_id}, so each is billed
 * once; a preview only reads them, and a void gives them back, {@link InvoiceStatusChanges}).
 * Read as {@link PackChargeRows.OneTimeRead} says, like store purchases. A read of a period so
 * far ({@code from} its start: {@link InvoiceCalculator#periodSoFar}) leaves them out: they are
 * earlier periods' money, not this one's spending.
 */
final class CorrectionChargeRows {

  private static final String UNBILLED =
      """
      unnest(:invoice_id::text[]::bigint[], :user_id::text[], :currency::text[])
        WITH ORDINALITY AS w(invoice_id, user_id, currency, ord)
      JOIN billing_correction_charges c
        ON c.org_id = w.user_id AND c.invoice_id IS NULL AND c.currency = w.currency
       AND c.period_end > :from""";

  private static final String ROW =
      "c.id, c.correction_id, c.description, c.resource_type, c.unit, c.unit_price, c.quantity,"
          + " c.amount, c.period_start, c.period_end";

  // a charge two invoices of one organization in a chunk could both bill goes to the earlier
  private static final NamedSql CLAIMED =
      NamedSql.of(
          """
          WITH billed AS (
            SELECT DISTINCT ON (c.id) c.id, w.invoice_id, w.ord
            FROM %s
            ORDER BY c.id, w.ord)
          UPDATE billing_correction_charges c SET invoice_id = b.invoice_id
          FROM billed b
          WHERE c.id = b.id AND c.invoice_id IS NULL
          RETURNING b.ord, %s"""
              .formatted(UNBILLED, ROW));

  private static final NamedSql PEEKED =
      NamedSql.of("SELECT w.ord, %s FROM %s".formatted(ROW, UNBILLED));

  private static final NamedSql BILLED_BY =
      NamedSql.of(
          """
          SELECT w.ord, %s
          FROM unnest(:invoice_id::text[]::bigint[]) WITH ORDINALITY AS w(invoice_id, ord)
          JOIN billing_correction_charges c ON c.invoice_id = w.invoice_id"""
              .formatted(ROW));

  private CorrectionChargeRows() {}

  /** The correction charges each invoice bills, in order of the invoices, by one statement. */
  static List<List<CorrectionCharge>> of(
      Connection connection, List<Invoice> invoices, PackChargeRows.OneTimeRead read, Instant from)
      throws SQLException {
    List<List<CorrectionCharge>> charges = new ArrayList<>();
    invoices.forEach(i -> charges.add(new ArrayList<>()));
    NamedSql.Binding query =
        switch (read) {
          case CLAIM -> unbilled(CLAIMED, connection, invoices, from);
          case PEEK -> unbilled(PEEKED, connection, invoices, from);
          case BILLED -> BILLED_BY.binding();
        };
    try (PreparedStatement statement =
            query
                .bind("invoice_id", SqlArrays.array(connection, invoices, Invoice::id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        charges
            .get(rs.getInt(1) - 1)
            .add(
                new CorrectionCharge(
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getBigDecimal(7),
                    rs.getBigDecimal(8),
                    rs.getBigDecimal(9),
                    Sql.instant(rs.getTimestamp(10)),
                    Sql.instant(rs.getTimestamp(11))));
      }
    }
    return charges;
  }

  private static NamedSql.Binding unbilled(
      NamedSql statement, Connection connection, List<Invoice> invoices, Instant from)
      throws SQLException {
    return statement
        .bind("from", from)
        .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
        .bind(
            "currency", SqlArrays.array(connection, invoices, i -> i.currency().getCurrencyCode()));
  }
}
