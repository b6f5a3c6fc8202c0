package io.streamspace.billing.invoicing;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.common.db.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** {@code billing_subscriptions} rows read as {@link PlanTerm}s: one column list, one mapper. */
public final class PlanTermRows {

  /**
   * The columns {@link #read} reads, in its order, from the table aliased {@code s}: last, the
   * limits of the term's version as stored ({@code billing_plan_versions}, null while its plan has
   * none stored: its version 1 is the plan as configured).
   */
  public static final String COLUMNS =
      """
      s.plan_id, s.plan_name, s.price, s.billing_interval, s.cpu_limit, s.memory_limit,
      s.storage_limit, s.started_at, s.ended_at, s.held_limits::text, s.plan_version,
      s.trial_ends_at,
      (SELECT v.terms->'limits' FROM billing_plan_versions v
       WHERE v.plan_id = s.plan_id AND v.version = s.plan_version)::text""";

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
        Sql.instant(rs.getTimestamp(first + 11)),
        versionLimits(rs.getString(first + 12)));
  }

  /**
   * A version's limits as {@code planversions/PlanVersionTerms} stores them ({@code {"members":
   * {"limit": 5, "kind": "hard"}, "cpu_cores": {"limit": null, "kind": null}, …}}), null for null.
   */
  static Map<String, MeterLimit> versionLimits(String json) {
    if (json == null) {
      return null;
    }
    Map<String, MeterLimit> limits = new TreeMap<>();
    try {
      JsonMapper.MAPPER
          .readTree(json)
          .fields()
          .forEachRemaining(
              field -> {
                JsonNode limit = field.getValue().path("limit");
                JsonNode kind = field.getValue().path("kind");
                limits.put(
                    field.getKey(),
                    new MeterLimit(
                        limit.isNumber() ? limit.decimalValue() : null,
                        kind.isTextual()
                            ? LimitKind.valueOf(kind.asText().toUpperCase(Locale.ROOT))
                            : null));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return limits;
  }
}
