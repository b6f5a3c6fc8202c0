package io.streamspace.billing.invoicing;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.common.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;

/** {@code billing_subscriptions} rows read as {@link PlanTerm}s: one column list, one mapper. */
public final class PlanTermRows {

  /** The columns {@link #read} reads, in its order, from the table aliased {@code s}. */
  public static final String COLUMNS =
      """
      s.plan_id, s.plan_name, s.price, s.billing_interval, s.cpu_limit, s.memory_limit,
      s.storage_limit, s.started_at, s.ended_at, s.held_limits::text, s.plan_version,
      s.trial_ends_at""";

  private PlanTermRows() {}

  /** The term whose {@link #COLUMNS} start at column {@code first} of the current row. */
  public static PlanTerm read(ResultSet rs, int first) throws SQLException {
    return new PlanTerm(
        rs.getString(first),
        rs.getString(first + 1),
        rs.getBigDecimal(first + 2),
        rs.getString(first + 3),
        rs.getBigDecimal(first + 4),
        rs.getBigDecimal(first + 5),
        rs.getBigDecimal(first + 6),
        JsonMapper.decimals(rs.getString(first + 9)),
        rs.getTimestamp(first + 7).toInstant(),
        Sql.instant(rs.getTimestamp(first + 8)),
        rs.getInt(first + 10),
        Sql.instant(rs.getTimestamp(first + 11)));
  }
}
