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
       AND (s.ended_at IS NULL OR r.slice_start < s.ended_at)"""),
  /**
   * Per account (organization) and member: the user who ran the record's session, none (the
   * organization's) for storage. Each account's line is split among its members as {@code GET
   * /usage} splits it ({@code UsageByMember.lineParts}), so the members' rows of a line add up
   * to the account's row of it grouped by user.
   */
  MEMBER(
      "user_id",
      "r.user_id",
      """
      LEFT JOIN LATERAL (
        SELECT s.user_id FROM billing_sessions s
        WHERE r.session_id <> '' AND s.session_id = r.session_id LIMIT 1) s ON true""",
      "s.user_id",
      // the range's records summed per session first (exactly: unit_price is one per group, so
      // Σ (unit_seconds × unit_price) is Σ unit_seconds × unit_price), then each session's
      // member looked up once by its key (LIMIT 1 on the key keeps the lookup a lookup): a
      // month's report reads that month's sessions, never the whole sessions table hashed
      """
      (SELECT user_id, session_id, currency, resource_type, unit_price,
              sum(unit_seconds) AS unit_seconds
       FROM billing_usage_records
       WHERE slice_start >= :from AND slice_start < :to
       GROUP BY user_id, session_id, currency, resource_type, unit_price) r""");

  private final String column;
  private final boolean byMember;
  private final NamedSql sql;

  /** The records of the range: every grouping but by member reads them as they are. */
  private static final String RECORDS =
      """
      (SELECT * FROM billing_usage_records
       WHERE slice_start >= :from AND slice_start < :to) r""";

  ReportGrouping(String column, String key, String join) {
    this(column, key, join, null, RECORDS);
  }

  /**
   * @param member the member of a record, for a grouping by member; else null
   * @param records the range's records as {@code r}: each of them, or sums of them with the
   *     columns summed
   */
  ReportGrouping(String column, String key, String join, String member, String records) {
    this.column = column;
    this.byMember = member != null;
    this.sql =
        NamedSql.of(
            """
            SELECT %s AS group_key, %s AS member_key, r.currency, %s
            FROM %s
            %s
            GROUP BY group_key, member_key, r.currency, r.resource_type, r.unit_price
            ORDER BY group_key, r.currency, r.resource_type, r.unit_price, member_key NULLS FIRST
            """
                .formatted(
                    key,
                    member == null ? "NULL::text" : member,
                    UsageRecordRepository.SUMMED,
                    records,
                    join));
  }

  /** Whether rows are per member too, in a {@code member_id} column after the group's. */
  public boolean byMember() {
    return byMember;
  }

  /** The grouping named by a {@code group_by} value, if any. */
  public static Optional<ReportGrouping> named(String name) {
    return Arrays.stream(values()).filter(g -> g.parameterValue().equals(name)).findFirst();
  }

  /**
   * Its {@code group_by} value: {@code user}, {@code resource}, {@code day}, {@code plan},
   * {@code member}.
   */
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
