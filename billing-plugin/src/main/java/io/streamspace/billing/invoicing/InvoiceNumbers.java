package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Gapless invoice numbers, {@code INV-2026-000042}: one sequence per year. The counter row is
 * incremented in the finalizing transaction, so its row lock serializes concurrent finalizations
 * (on every node) until they commit, and a rollback gives the number back. A database sequence
 * would not: it skips the numbers of rolled-back transactions.
 */
final class InvoiceNumbers {

  private static final NamedSql NEXT =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_numbers AS n (year, last_number) VALUES (:year, 1)
          ON CONFLICT (year) DO UPDATE SET last_number = n.last_number + 1
          RETURNING last_number""");

  private InvoiceNumbers() {}

  /** The next number of {@code year}, in the caller's transaction. */
  static String next(Connection connection, int year) throws SQLException {
    try (PreparedStatement statement = NEXT.bind("year", year).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return "INV-%d-%06d".formatted(year, rs.getLong(1));
    }
  }
}
