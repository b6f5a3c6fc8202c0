package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The invoices of a billing period, read for a what-if. */
public final class PeriodInvoices {

  // by billing_invoices_user_period (user_id, period_start)
  private static final NamedSql OF =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE user_id = ANY(:user_id::text[]) AND status <> 'void'
            AND period_start >= :period_start AND period_end <= :period_end
          ORDER BY user_id, period_start"""
              .formatted(InvoiceRepository.COLUMNS));

  private PeriodInvoices() {}

  /**
   * The invoices that are not void of the accounts lying within {@code [start, end)}, in the
   * caller's transaction, by account then start.
   */
  public static List<Invoice> of(
      Connection connection, List<String> orgIds, Instant start, Instant end) throws SQLException {
    List<Invoice> invoices = new ArrayList<>();
    try (PreparedStatement statement =
            OF.bind("user_id", SqlArrays.array(connection, orgIds, id -> id))
                .bind("period_start", start)
                .bind("period_end", end)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        invoices.add(InvoiceRepository.read(rs));
      }
    }
    return invoices;
  }
}
