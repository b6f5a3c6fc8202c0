package io.streamspace.billing.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A gapless series of document numbers, {@code <PREFIX>-2026-000042}: one counter per year in a
 * table of {@code (year, last_number)} rows. The counter row is incremented in the caller's
 * transaction (once per batch, by its size), so its row lock serializes concurrent takers (on
 * every node) until they commit, and a rollback gives the numbers back. A database sequence
 * would not: it skips the numbers of rolled-back transactions. Invoices ({@code INV},
 * {@code billing_invoice_numbers}) and credit notes ({@code CN}, {@code
 * billing_credit_note_numbers}) each have one.
 */
public final class GaplessNumbers {

  /** The invoices' series. */
  public static final GaplessNumbers INVOICES =
      new GaplessNumbers("billing_invoice_numbers", "INV");

  /** The credit notes' series. */
  public static final GaplessNumbers CREDIT_NOTES =
      new GaplessNumbers("billing_credit_note_numbers", "CN");

  private final String prefix;

  // a batch's numbers at once: the counter goes up by :count, the batch takes the :count numbers
  // up to the new last_number
  private final NamedSql take;

  private GaplessNumbers(String table, String prefix) {
    this.prefix = prefix;
    this.take =
        NamedSql.of(
            """
            INSERT INTO %s AS n (year, last_number) VALUES (:year, :count)
            ON CONFLICT (year) DO UPDATE SET last_number = n.last_number + :count
            RETURNING last_number"""
                .formatted(table));
  }

  /**
   * The next {@code count} numbers of {@code year}, in order, in the caller's transaction: one
   * increment of the year's counter, whose row lock then serializes the others until this
   * transaction ends (a rollback gives them all back).
   */
  public List<String> take(Connection connection, int year, int count) throws SQLException {
    if (count == 0) {
      return List.of();
    }
    long last;
    try (PreparedStatement statement =
            take.bind("year", year).bind("count", count).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      last = rs.getLong(1);
    }
    List<String> numbers = new ArrayList<>(count);
    for (long n = last - count + 1; n <= last; n++) {
      numbers.add("%s-%d-%06d".formatted(prefix, year, n));
    }
    return numbers;
  }
}
