package io.streamspace.billing.db;

import io.streamspace.common.time.InstantText;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A column of a batch as one {@code text[]} parameter, which the SQL casts to its type
 * ({@code :created_at::text[]::timestamptz[]}). Text is the one array element type every driver
 * encodes the same way, and ISO-8601 instants and plain decimals read back exactly.
 */
public final class SqlArrays {

  private SqlArrays() {}

  /** {@code column(row)} of every row, as a {@code text[]}. */
  public static <R> Array array(Connection connection, List<R> rows, Function<R, ?> column)
      throws SQLException {
    String[] values =
        rows.stream()
            .map(column)
            .map(value -> value == null ? null : text(value))
            .toArray(String[]::new);
    return connection.createArrayOf("text", values);
  }

  /** The instants as a {@code timestamptz[]} (cut points for {@code width_bucket}, say). */
  public static Array instants(Connection connection, List<Instant> instants) throws SQLException {
    return connection.createArrayOf(
        "timestamptz", instants.stream().map(Timestamp::from).toArray());
  }

  /**
   * Binds the cut points of consecutive ranges (ascending) for a statement that sorts rows into
   * them: {@code :bounds} as a {@code timestamptz[]} (for {@code width_bucket}, whose k is then
   * the 1-based range), {@code :from} the first and {@code :to} the last, the span to read.
   */
  public static NamedSql.Binding ranges(
      NamedSql.Binding binding, Connection connection, List<Instant> bounds) throws SQLException {
    return binding
        .bind("bounds", instants(connection, bounds))
        .bind("from", bounds.get(0))
        .bind("to", bounds.get(bounds.size() - 1));
  }

  private static String text(Object value) {
    if (value instanceof Instant instant) {
      return InstantText.of(instant); // as toString(), without its formatter (one per row)
    }
    return value instanceof java.math.BigDecimal decimal
        ? decimal.toPlainString()
        : Objects.toString(value);
  }
}
