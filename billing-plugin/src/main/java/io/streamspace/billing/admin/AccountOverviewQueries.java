package io.streamspace.billing.admin;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.quota.JudgedMeters;
import io.streamspace.billing.quota.QuotaState;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The admin overview of accounts, a page at a time, in one statement: the page of accounts is
 * chosen first (ordered by a figure only when asked to, which then is computed for every
 * account), and only its accounts' figures are computed for the answer.
 */
public final class AccountOverviewQueries {

  /**
   * The current billing period's usage cost of account {@code a}: one line per resource and unit
   * price, each {@code round(Σ unit-seconds × unit price / unit-seconds per unit)} half up to the
   * currency's decimals, added up. In SQL, so accounts can be ordered by it: the rule of
   * Money.lineTotal and UsageStatement, which GET /usage applies in Java to the same sums.
   */
  private static final String COST =
      """
      (SELECT coalesce(sum(round(u.priced_unit_seconds / w.per_unit, m.digits)), 0)
       FROM (SELECT r.resource_type, sum(r.unit_seconds * r.unit_price) AS priced_unit_seconds
             FROM billing_usage_records r
             WHERE r.user_id = a.user_id
               AND r.slice_start >= :period_start AND r.slice_start < :period_end
             GROUP BY r.resource_type, r.unit_price, r.activity) u
       -- a held meter's (gpu) are unit-hours
       CROSS JOIN LATERAL (SELECT coalesce((SELECT v.per_unit FROM (VALUES %s)
                                              AS v(resource_type, per_unit)
                                            WHERE v.resource_type = u.resource_type), 3600)
                           AS per_unit) w
       JOIN unnest(:currency_code::text[], :minor_digits::int[]) AS m(code, digits)
         ON m.code = a.currency::text)"""
          .formatted(
              UsageUnit.BUILT_IN.stream()
                  .map(
                      unit ->
                          "('%s', %s)".formatted(unit.resourceType(), unit.unitSecondsPerUnit()))
                  .collect(Collectors.joining(", ")));

  /** Σ what is due of account {@code a}'s sent and overdue invoices (net of credit notes). */
  private static final String OUTSTANDING =
      """
      (SELECT coalesce(sum(i.total - i.credited_due), 0) FROM billing_invoices i
       WHERE i.user_id = a.user_id AND i.status IN ('sent', 'overdue'))""";

  /** Σ remaining of account {@code a}'s credits not expired at {@code :at}, the reading's now. */
  private static final String CREDIT =
      """
      (SELECT coalesce(sum(c.remaining), 0) FROM billing_credits c
       WHERE c.user_id = a.user_id AND (c.expires_at IS NULL OR c.expires_at > :at))""";

  /**
   * How many members organization {@code a} has now: a personal one its user alone, a team the
   * memberships its events leave (read by billing_org_events_member).
   */
  private static final String MEMBERS =
      """
      CASE WHEN a.personal THEN 1
           ELSE (SELECT count(*) FROM billing_memberships m WHERE m.org_id = a.user_id) END""";

  /**
   * What account {@code a} was invoiced, ever, per currency: Σ total of its finalized invoices
   * not void net of their credit notes (each at least 0), as the dashboard counts revenue (read
   * by billing_invoices_user_period).
   */
  private static final String REVENUE =
      """
      (SELECT array_agg(r.currency ORDER BY r.currency) AS currencies,
              array_agg(r.invoiced ORDER BY r.currency) AS amounts
       FROM (SELECT i.currency::text AS currency,
                    sum(greatest(i.total - i.credited, 0)) AS invoiced
             FROM billing_invoices i
             WHERE i.user_id = a.user_id AND i.status IN ('sent', 'paid', 'overdue')
             GROUP BY i.currency) r)""";

  /**
   * Whether account {@code a} was opened or had activity in {@code [:active_from, :active_to)}
   * (both null: no date filter). Opened: its {@code created_at} (the earliest event that showed
   * it). Activity: a usage record of it whose slice starts in the range (a session held
   * resources, or storage was kept, in that hour), a usage report of a counted meter that
   * occurred in it, or an invoice of it with a total above zero finalized or paid in it. Each
   * read by the account's own index: the usage records' primary key (user_id, slice_start),
   * billing_usage_reports_counter (org_id, ...) and billing_invoices_user_period (user_id, ...).
   * The {@code OFFSET 0} keeps each EXISTS a probe per account: without it PostgreSQL may turn
   * it into one hashed read of every account's rows in the range, which for invoices (no index
   * on when they were finalized or paid) is a sequential scan of the table (IndexedReadsTest).
   */
  private static final String OPENED_OR_ACTIVE =
      """
      (CAST(:active_from AS timestamptz) IS NULL
       OR (a.created_at >= :active_from AND a.created_at < :active_to)
       OR EXISTS (SELECT 1 FROM billing_usage_records r
                  WHERE r.user_id = a.user_id
                    AND r.slice_start >= :active_from AND r.slice_start < :active_to
                  OFFSET 0)
       OR EXISTS (SELECT 1 FROM billing_usage_reports c
                  WHERE c.org_id = a.user_id
                    AND c.occurred_at >= :active_from AND c.occurred_at < :active_to
                  OFFSET 0)
       OR EXISTS (SELECT 1 FROM billing_invoices i
                  WHERE i.user_id = a.user_id AND i.total > 0
                    AND (i.finalized_at >= :active_from AND i.finalized_at < :active_to
                         OR i.paid_at >= :active_from AND i.paid_at < :active_to)
                  OFFSET 0))""";

  /** The end of a date range given only its start: after every instant a request may name. */
  private static final Instant NO_END = Instant.parse("9999-12-31T23:59:59Z");

  /** The start of a date range given only its end: before every instant a request may name. */
  private static final Instant NO_START = Instant.parse("1900-01-01T00:00:00Z");

  private static final Map<AccountOrder, String> SORT_KEYS =
      Map.of(
          AccountOrder.USER_ID, "a.user_id",
          AccountOrder.CURRENT_PERIOD_COST, COST,
          AccountOrder.OUTSTANDING_BALANCE, OUTSTANDING,
          AccountOrder.CREDIT_BALANCE, CREDIT);

  /** The statement of each order, ascending ({@code [0]}) and descending ({@code [1]}). */
  private static final Map<AccountOrder, NamedSql[]> PAGES = new EnumMap<>(AccountOrder.class);

  static {
    for (AccountOrder order : AccountOrder.values()) {
      PAGES.put(order, new NamedSql[] {page(order, "ASC"), page(order, "DESC")});
    }
  }

  private static NamedSql page(AccountOrder order, String direction) {
    return NamedSql.of(pageSql(order, direction));
  }

  /** The statement of a page in {@code order}, {@code ASC} or {@code DESC}. */
  static String pageSql(AccountOrder order, String direction) {
    return """
        WITH %1$s,
        -- the page of accounts is chosen first; user_id filters by prefix (a LIKE pattern that
        -- ends in its wildcard, which the C-collated primary key serves): the exact id is its
        -- own prefix; quota_state keeps the accounts with a meter in that state
        page AS (
          SELECT a.user_id, a.email, a.name, a.personal, a.currency, a.status, s.plan_id,
                 %2$s AS sort_key
          FROM billing_accounts a
          JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
          WHERE (CAST(:status AS text) IS NULL OR a.status = :status)
            AND (CAST(:personal AS boolean) IS NULL OR a.personal = :personal)
            AND (CAST(:pattern AS text) IS NULL OR a.user_id LIKE :pattern ESCAPE '\\')
            AND (CAST(:quota_state AS text) IS NULL
                 OR EXISTS (SELECT 1 FROM judged j
                            WHERE j.user_id = a.user_id AND j.state = :quota_state))
            AND %10$s
          ORDER BY sort_key %3$s, a.user_id
          LIMIT :limit OFFSET :offset)
        SELECT a.user_id, a.email, a.name, a.personal, a.currency, a.status, a.plan_id,
               %4$s AS cost, %5$s AS outstanding, %6$s AS credit, %8$s AS members,
               rev.currencies AS revenue_currencies, rev.amounts AS revenue_amounts,
               (SELECT coalesce(array_agg(h.reason ORDER BY h.placed_at, h.id), '{}')
                FROM billing_account_holds h
                WHERE h.user_id = a.user_id AND h.lifted_at IS NULL) AS holds,
               q.meters AS quota_meters, q.states AS quota_states, q.percents AS quota_percents
        FROM page a
        -- the page's accounts' meters alone are judged (judged is never materialized)
        CROSS JOIN LATERAL (
          SELECT array_agg(j.meter ORDER BY %7$s) AS meters,
                 array_agg(j.state ORDER BY %7$s) AS states,
                 array_agg(j.percent ORDER BY %7$s) AS percents
          FROM judged j
          WHERE j.user_id = a.user_id AND j.state <> 'ok') q
        CROSS JOIN LATERAL %9$s rev
        ORDER BY a.sort_key %3$s, a.user_id
        """
        .formatted(
            JudgedMeters.CTES,
            SORT_KEYS.get(order),
            direction,
            COST,
            OUTSTANDING,
            CREDIT,
            JudgedMeters.WORST_FIRST,
            MEMBERS,
            REVENUE,
            OPENED_OR_ACTIVE);
  }

  private static final String[] CURRENCY_CODES;
  private static final Integer[] MINOR_DIGITS;

  static {
    List<Currency> currencies = List.copyOf(Currency.getAvailableCurrencies());
    CURRENCY_CODES = currencies.stream().map(Currency::getCurrencyCode).toArray(String[]::new);
    MINOR_DIGITS = currencies.stream().map(Money::minorDigits).toArray(Integer[]::new);
  }

  private final DataSource dataSource;

  public AccountOverviewQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * What a page shows and which accounts it holds.
   *
   * @param status only accounts of this status; null for any
   * @param userIdPrefix only accounts whose user id starts with this; null for any
   * @param quotaState only accounts with at least one meter in this state (as GET /admin/quotas
   *     judges it); null for any
   * @param personal only personal organizations (true) or team ones (false); null for both
   * @param activeFrom with {@code activeTo}: only accounts opened, or with activity, in {@code
   *     [activeFrom, activeTo)} (see {@link #OPENED_OR_ACTIVE}); null for no start
   * @param activeTo the range's end (exclusive); null for no end (both null: any account)
   * @param order what accounts are ordered by, ties by user id
   */
  public record Filter(
      String status,
      String userIdPrefix,
      QuotaState quotaState,
      Boolean personal,
      Instant activeFrom,
      Instant activeTo,
      AccountOrder order,
      boolean descending) {}

  /**
   * Accounts in the filter's order, {@code limit} from {@code offset}.
   *
   * @param judged the quota judgement, and its instant: the current billing period, whose usage
   *     is the current cost, and the now credits expire against
   */
  public List<AccountOverview> page(Filter filter, int limit, int offset, JudgedMeters judged)
      throws SQLException {
    NamedSql sql = PAGES.get(filter.order())[filter.descending() ? 1 : 0];
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            bound(sql, filter, limit, offset, judged).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<AccountOverview> overviews = new ArrayList<>();
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString("currency"));
        List<AccountOverview.MeterState> quotaMeters = quotaMeters(rs);
        overviews.add(
            new AccountOverview(
                rs.getString("user_id"),
                rs.getString("email"),
                rs.getString("name"),
                rs.getBoolean("personal"),
                rs.getInt("members"),
                rs.getString("plan_id"),
                currency.getCurrencyCode(),
                Money.shown(rs.getBigDecimal("cost"), currency),
                Money.shown(rs.getBigDecimal("outstanding"), currency),
                Money.shown(rs.getBigDecimal("credit"), currency),
                rs.getString("status"),
                List.of((String[]) rs.getArray("holds").getArray()),
                quotaMeters.isEmpty() ? QuotaState.OK.jsonName() : quotaMeters.get(0).state(),
                quotaMeters,
                revenue(rs)));
      }
      return overviews;
    }
  }

  /** {@code sql}, a page's statement, with its parameters bound. */
  static NamedSql.Binding bound(
      NamedSql sql, Filter filter, int limit, int offset, JudgedMeters judged) {
    String prefix = filter.userIdPrefix();
    boolean dated = filter.activeFrom() != null || filter.activeTo() != null;
    return judged
        .bind(sql.binding())
        .bind("status", filter.status())
        .bind("pattern", prefix == null ? null : escapeLike(prefix) + "%")
        .bind("quota_state", filter.quotaState() == null ? null : filter.quotaState().jsonName())
        .bind("personal", filter.personal())
        .bind("active_from", dated ? orElse(filter.activeFrom(), NO_START) : null)
        .bind("active_to", dated ? orElse(filter.activeTo(), NO_END) : null)
        .bind("limit", limit)
        .bind("offset", offset)
        .bind("currency_code", CURRENCY_CODES)
        .bind("minor_digits", MINOR_DIGITS);
  }

  /** The page row's meters at or over the threshold, the worst first: none when all are ok. */
  private static List<AccountOverview.MeterState> quotaMeters(ResultSet rs) throws SQLException {
    Array meters = rs.getArray("quota_meters");
    if (meters == null) {
      return List.of();
    }
    String[] names = (String[]) meters.getArray();
    String[] states = (String[]) rs.getArray("quota_states").getArray();
    BigDecimal[] percents = (BigDecimal[]) rs.getArray("quota_percents").getArray();
    List<AccountOverview.MeterState> rows = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      rows.add(new AccountOverview.MeterState(names[i], states[i], percents[i]));
    }
    return rows;
  }

  /** The page row's revenue per currency, by currency code: none before its first invoice. */
  private static List<AccountOverview.Revenue> revenue(ResultSet rs) throws SQLException {
    Array currencies = rs.getArray("revenue_currencies");
    if (currencies == null) {
      return List.of();
    }
    String[] codes = (String[]) currencies.getArray();
    BigDecimal[] amounts = (BigDecimal[]) rs.getArray("revenue_amounts").getArray();
    List<AccountOverview.Revenue> revenue = new ArrayList<>(codes.length);
    for (int i = 0; i < codes.length; i++) {
      revenue.add(
          new AccountOverview.Revenue(
              codes[i], Money.shown(amounts[i], Currency.getInstance(codes[i]))));
    }
    return revenue;
  }

  private static Instant orElse(Instant instant, Instant otherwise) {
    return instant == null ? otherwise : instant;
  }

  /** The text matched literally by LIKE: its wildcards and the escape character escaped. */
  private static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
