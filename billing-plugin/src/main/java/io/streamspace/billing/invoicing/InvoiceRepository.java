package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads invoices with their lines. */
public final class InvoiceRepository {

  static final String COLUMNS = """
      id, invoice_number, user_id, period_start, period_end, status, currency, subtotal,
      credits_applied, total, finalized_at, due_at""";

  private static final String LINES = """
      SELECT kind, description, resource_type, quantity, unit, unit_price, amount
      FROM billing_invoice_lines WHERE invoice_id = ? ORDER BY line_no""";

  private final DataSource dataSource;

  public InvoiceRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The invoice of that id with its stored lines. */
  public Optional<Invoice> find(long id) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return find(connection, id, false);
    }
  }

  /**
   * The invoice of that id with its stored lines, in the caller's transaction; {@code lock}
   * takes its row lock ({@code FOR UPDATE}) first, which is what every change of an invoice
   * serializes on.
   */
  static Optional<Invoice> find(Connection connection, long id, boolean lock)
      throws SQLException {
    String sql = "SELECT " + COLUMNS + " FROM billing_invoices WHERE id = ?"
        + (lock ? " FOR UPDATE" : "");
    try (PreparedStatement statement = Sql.prepare(connection, sql, id);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(read(rs, lines(connection, id))) : Optional.empty();
    }
  }

  /** An invoice from a row of {@link #COLUMNS}, with the lines given. */
  static Invoice read(ResultSet rs, List<InvoiceLine> lines) throws SQLException {
    return new Invoice(rs.getLong(1), rs.getString(2), rs.getString(3),
        rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(),
        InvoiceStatus.of(rs.getString(6)), Currency.getInstance(rs.getString(7)),
        rs.getBigDecimal(8), rs.getBigDecimal(9), rs.getBigDecimal(10),
        Sql.instant(rs.getTimestamp(11)), Sql.instant(rs.getTimestamp(12)), lines);
  }

  private static List<InvoiceLine> lines(Connection connection, long id) throws SQLException {
    List<InvoiceLine> lines = new ArrayList<>();
    try (PreparedStatement statement = Sql.prepare(connection, LINES, id);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        lines.add(new InvoiceLine(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getBigDecimal(4), rs.getString(5), rs.getBigDecimal(6), rs.getBigDecimal(7)));
      }
    }
    return lines;
  }
}
