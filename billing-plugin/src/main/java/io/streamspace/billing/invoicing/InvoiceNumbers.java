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
 * incremented in the finalizing transaction (once per chunk, by its size), so its row lock
 * serializes concurrent finalizations (on every node) until they commit, and a rollback gives
 * the numbers back. A database sequence would not: it skips the numbers of rolled-back
 * transactions.
 */
final class InvoiceNumbers {

  // a chunk's numbers at once: the counter goes up by :count, the chunk takes the :count numbers
  // up to the new last_number
  private static final NamedSql TAKE =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_numbers AS n (year, last_number) VALUES (:year, :count)
          ON CONFLICT (year) DO UPDATE SET last_number = n.last_number + :count
          RETURNING last_number""");

  private InvoiceNumbers() {}

  /**
   * The next {@code count} numbers of {@code year}, in order, in the caller's transaction: one
   * increment of the year's counter, whose row lock then serializes the others until this
   * transaction ends (a rollback gives them all back).
   */
  static List<String> take(Connection connection, int year, int count) throws SQLException {
    if (count == 0) {
      return List.of();
    }
    long last;
    try (PreparedStatement statement =
            TAKE.bind("year", year).bind("count", count).prepare(connection);
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
