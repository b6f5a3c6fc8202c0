package io.streamspace.billing.reports;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.rating.UsageRecordRepository;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a usage report groups by, besides what every row is kept apart by (currency, resource
 * and unit price: one rated line, so amounts in different currencies or units never add up).
 * Each grouping reads the records summed exactly per group, in group order, from one statement.
 */
public enum ReportGrouping {
  /** Per account. */
  USER("user_id", "r.user_id", ""),
  /** Per resource only (every row is per resource already): no group column. */
  RESOURCE(null, "''", ""),
  /** Per day in the billing zone, by the slice's start (slices are cut at its midnights). */
  DAY("day", "to_char(r.slice_start AT TIME ZONE :zone, 'YYYY-MM-DD')", ""),
  /** Per plan the account was on when the slice started (its subscription's terms). */
  PLAN(
      "plan_id",
      "s.plan_id",
      """
      LEFT JOIN billing_subscriptions s
        ON s.user_id = r.user_id AND s.started_at <= r.slice_start
       AND (s.ended_at IS NULL OR r.slice_start < s.ended_at)""");

  private final String column;
  private final NamedSql sql;

  ReportGrouping(String column, String key, String join) {
    this.column = column;
    this.sql =
        NamedSql.of(
            """
            SELECT %s AS group_key, r.currency, %s
            FROM billing_usage_records r
            %s
            WHERE r.slice_start >= :from AND r.slice_start < :to
            GROUP BY group_key, r.currency, r.resource_type, r.unit_price
            ORDER BY group_key, r.currency, r.resource_type, r.unit_price
            """
                .formatted(key, UsageRecordRepository.SUMMED, join));
  }

  /** The grouping named by a {@code group_by} value, if any. */
  public static Optional<ReportGrouping> named(String name) {
    return Arrays.stream(values()).filter(g -> g.parameterValue().equals(name)).findFirst();
  }

  /** Its {@code group_by} value: {@code user}, {@code resource}, {@code day}, {@code plan}. */
  public String parameterValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The name of the group's column in a row; empty for {@link #RESOURCE}. */
  public Optional<String> column() {
    return Optional.ofNullable(column);
  }

  NamedSql sql() {
    return sql;
  }
}
