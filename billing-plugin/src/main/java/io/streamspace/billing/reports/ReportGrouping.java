package io.streamspace.billing.reports;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.billing.rating.UsageRollup.Accounts;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a usage report groups by, besides what every row is kept apart by (currency, resource
 * and unit price: one rated line, so amounts in different currencies or units never add up).
 * Each grouping reads the records summed exactly per group, in group order, from one statement:
 * through the daily rollup ({@link UsageRollup}) but by plan.
 */
public enum ReportGrouping {
  /** Per account. */
  USER("user_id", "r.user_id", "", null, Sources.ROLLUP, Sources.ROLLUP_PAGE),
  /** Per resource only (every row is per resource already): no group column. */
  RESOURCE(null, "''", "", null, Sources.ROLLUP, null),
  /** Per day in the billing zone, by the slice's start (slices are cut at its midnights). */
  DAY("day", "to_char(r.day, 'YYYY-MM-DD')", "", null, Sources.ROLLUP, null),
  /**
   * Per plan the account was on when the slice started (its subscription's terms). From the
   * records: the plan can change within a day, and the rollup is per day.
   */
  PLAN(
      "plan_id",
      "s.plan_id",
      """
      LEFT JOIN billing_subscriptions s
        ON s.user_id = r.user_id AND s.started_at <= r.slice_start
       AND (s.ended_at IS NULL OR r.slice_start < s.ended_at)""",
      null,
      Sources.RECORDS,
      null),
  /**
   * Per account (organization) and member: the user who ran the record's session, none (the
   * organization's) for storage. Each account's line is split among its members as {@code GET
   * /usage} splits it ({@code UsageByMember.lineParts}), so the members' rows of a line add up
   * to the account's row of it grouped by user.
   */
  MEMBER(
      "user_id",
      "r.user_id",
      "",
      "r.member_id",
      Sources.ROLLUP_BY_MEMBER,
      Sources.ROLLUP_BY_MEMBER_PAGE);

  /** Where a grouping reads the range's usage from, as {@code r}. */
  private static final class Sources {
    /** The records themselves: each of them, with every column. */
    static final String RECORDS =
        """
        (SELECT e.*, %s AS saved_unit_seconds FROM billing_usage_records e
         WHERE e.slice_start >= :from AND e.slice_start < :to) r"""
            .formatted(UsageRollup.saved("e"));

    /** Sums per day, account and line: the daily rollup, the tail and the partial days. */
    static final String ROLLUP = UsageRollup.source(false, Accounts.EVERY);

    /** The same per member too. */
    static final String ROLLUP_BY_MEMBER = UsageRollup.source(true, Accounts.EVERY);

    /** The same of the accounts {@code :user_ids} only: a page of a report by account. */
    static final String ROLLUP_PAGE = UsageRollup.source(false, Accounts.SOME);

    /** The same per member too. */
    static final String ROLLUP_BY_MEMBER_PAGE = UsageRollup.source(true, Accounts.SOME);
  }

  private final String column;
  private final boolean byMember;
  private final NamedSql sql;
  private final NamedSql pageSql;

  /**
   * @param member the member of a record, for a grouping by member; else null
   * @param records the range's usage as {@code r}: records, or sums of them with the columns
   *     summed
   * @param pageRecords the same of the accounts {@code :user_ids} only, for a grouping whose
   *     rows are an account's (so a report can be read a page of accounts at a time); else null
   */
  ReportGrouping(
      String column, String key, String join, String member, String records, String pageRecords) {
    this.column = column;
    this.byMember = member != null;
    this.sql = statement(key, join, member, records);
    this.pageSql = pageRecords == null ? null : statement(key, join, member, pageRecords);
  }

  private static NamedSql statement(String key, String join, String member, String records) {
    return NamedSql.of(
        """
            SELECT %s AS group_key, %s AS member_key, r.currency, %s
            FROM %s
            %s
            GROUP BY group_key, member_key, r.currency, %s
            ORDER BY group_key, r.currency, %s, member_key NULLS FIRST
            """
            .formatted(
                key,
                member == null ? "NULL::text" : member,
                UsageRecordRepository.SUMMED,
                records,
                join,
                UsageRecordRepository.LINE,
                UsageRecordRepository.LINE));
  }

  /**
   * Whether its rows are each an account's (by user, by member), so that a report can be read a
   * page of accounts at a time ({@link #pageSql}).
   */
  public boolean byAccount() {
    return pageSql != null;
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

  /** Its statement over the accounts {@code :user_ids} only; null unless {@link #byAccount}. */
  NamedSql pageSql() {
    return pageSql;
  }
}
