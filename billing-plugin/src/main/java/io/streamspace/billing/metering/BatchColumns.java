package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A batch's rows bound column by column, each column one array parameter, so that one statement
 * (over {@code unnest} of the arrays) stores all the rows of a kind.
 */
final class BatchColumns {

  private BatchColumns() {}

  /** Runs {@code sql} with the rows' columns bound (nothing to do for no rows). */
  static <R> void execute(
      Connection connection, NamedSql sql, List<R> rows, Map<String, Function<R, ?>> columns)
      throws SQLException {
    if (!rows.isEmpty()) {
      bind(connection, sql.binding(), rows, columns).update(connection);
    }
  }

  /** Binds each column of the rows as one array parameter, named as in {@code columns}. */
  static <R> NamedSql.Binding bind(
      Connection connection,
      NamedSql.Binding binding,
      List<R> rows,
      Map<String, Function<R, ?>> columns)
      throws SQLException {
    for (Map.Entry<String, Function<R, ?>> column : columns.entrySet()) {
      binding.bind(column.getKey(), SqlArrays.array(connection, rows, column.getValue()));
    }
    return binding;
  }
}
