package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * Reads invoice rows inside the lifecycle's transactions (the write side; the routes read through
 * {@link InvoiceQueries}).
 */
public final class InvoiceRepository {

  /** The one column list of {@code billing_invoices}, which {@link #read} reads by position. */
  static final String COLUMNS =
      """
      id, invoice_number, user_id, period_start, period_end, status, currency, subtotal,
      credits_applied, balance_applied, total, finalized_at, due_at, paid_at, credited,
      credited_due""";

  private static final NamedSql FIND =
      NamedSql.of("SELECT %s FROM billing_invoices WHERE id = :id".formatted(COLUMNS));

  private static final NamedSql FIND_FOR_UPDATE =
      NamedSql.of("SELECT %s FROM billing_invoices WHERE id = :id FOR UPDATE".formatted(COLUMNS));

  private InvoiceRepository() {}

  /**
   * The invoice of that id, in the caller's transaction; {@code lock} takes its row lock
   * ({@code FOR UPDATE}) first, which is what every change of an invoice serializes on.
   */
  public static Optional<Invoice> find(Connection connection, long id, boolean lock)
      throws SQLException {
    try (PreparedStatement statement =
            (lock ? FIND_FOR_UPDATE : FIND).bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(read(rs)) : Optional.empty();
    }
  }

  /** An invoice from a row of {@link #COLUMNS}. */
  static Invoice read(ResultSet rs) throws SQLException {
    return new Invoice(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getTimestamp(4).toInstant(),
        rs.getTimestamp(5).toInstant(),
        InvoiceStatus.of(rs.getString(6)),
        Currency.getInstance(rs.getString(7)),
        rs.getBigDecimal(8),
        rs.getBigDecimal(9),
        rs.getBigDecimal(10),
        rs.getBigDecimal(11),
        Sql.instant(rs.getTimestamp(12)),
        Sql.instant(rs.getTimestamp(13)),
        Sql.instant(rs.getTimestamp(14)),
        rs.getBigDecimal(15),
        rs.getBigDecimal(16));
  }
}
