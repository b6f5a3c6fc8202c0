package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gapless invoice numbers, {@code INV-2026-000042}: one sequence per year. The counter row is
 * incremented in the finalizing transaction, so its row lock serializes concurrent finalizations
 * (on every node) until they commit, and a rollback gives the numbers back. A database sequence
 * would not: it skips the numbers of rolled-back transactions. A batch takes its numbers at once,
 * as its last statement but one, so the counter row stays locked only for the batch's end.
 */
final class InvoiceNumbers {

  private static final NamedSql NEXT =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_numbers AS n (year, last_number) VALUES (:year, :count)
          ON CONFLICT (year) DO UPDATE SET last_number = n.last_number + :count
          RETURNING last_number""");

  private InvoiceNumbers() {}

  /** The next {@code count} (at least one) numbers of {@code year}, in order, in the caller's
   * transaction. */
  static List<String> next(Connection connection, int year, int count) throws SQLException {
    long last;
    try (PreparedStatement statement =
            NEXT.bind("year", year).bind("count", count).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      last = rs.getLong(1);
    }
    List<String> numbers = new ArrayList<>(count);
    for (long n = last - count + 1; n <= last; n++) {
      numbers.add("INV-%d-%06d".formatted(year, n));
    }
    return numbers;
  }
}
