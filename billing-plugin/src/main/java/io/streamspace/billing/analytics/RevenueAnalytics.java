package io.streamspace.billing.analytics;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The subscription figures of a range of months ({@link MrrMovements}), read from the plan
 * terms already recorded ({@code billing_subscriptions}) and the organizations' closings: each
 * organization's MRR at every month boundary in the billing zone, by one statement that answers a
 * row per organization, then summed an organization at a time, so memory holds one
 * organization's months, not all of them. A plan's fee is MRR only at the boundaries where the
 * billing mode in effect charged it ({@link PlanFeeModes}: subscription and hybrid, not usage),
 * net of discounts: a coupon an organization redeemed for its plan lowers its MRR at the
 * boundaries its periods hold.
 */
public final class RevenueAnalytics {

  // One row per organization: when it first paid and opened, when it closed, and its MRR at the
  // boundaries where it was on a paid term (the plan term in effect then, per month: a yearly
  // price ÷ 12, less the discount of a coupon it redeemed for that plan whose periods hold the
  // boundary: its percentage, or its amount up to the fee) under a billing mode that charged its
  // fee (charged: PlanFeeModes), as parallel arrays; 0 at the others. Each paid term is joined to
  // the few boundaries it spans, so the work grows with the terms, not with organizations ×
  // months (the redemptions are few, read once). It first paid at the first instant of a paid
  // term inside a span that charged the fee.
  private static final NamedSql MRR_AT_BOUNDS =
      NamedSql.of(
          """
          WITH charged AS MATERIALIZED (
            SELECT f AS from_at, t AS to_at
            FROM unnest(CAST(CAST(:charged_from AS text[]) AS timestamptz[]),
                        CAST(CAST(:charged_to AS text[]) AS timestamptz[])) AS c(f, t)
          ),
          bounds AS MATERIALIZED (
            SELECT g, at FROM (
              SELECT g, (CAST(:first AS timestamp) + make_interval(months => g)) AT TIME ZONE :zone
                     AS at
              FROM generate_series(0, :months) g) b
            WHERE EXISTS (SELECT 1 FROM charged c WHERE c.from_at <= b.at AND c.to_at > b.at)
          ),
          discounts AS MATERIALIZED (
            SELECT r.org_id, r.discount_from, r.discount_until, c.percent_off, c.amount_off,
                   c.applies_plans
            FROM billing_coupon_redemptions r JOIN billing_coupons c ON c.id = r.coupon_id
            WHERE cardinality(c.applies_plans) > 0
          ),
          paid AS (
            SELECT s.user_id, b.g,
                   sum(f.fee - CASE WHEN d.org_id IS NULL THEN 0
                                    WHEN d.percent_off IS NOT NULL
                                    THEN f.fee * d.percent_off / 100
                                    ELSE least(f.fee, d.amount_off) END) AS mrr
            FROM billing_subscriptions s
            JOIN bounds b ON s.started_at <= b.at AND (s.ended_at IS NULL OR s.ended_at > b.at)
            CROSS JOIN LATERAL (
              SELECT CASE s.billing_interval WHEN 'year' THEN s.price / 12 ELSE s.price END
                       AS fee) f
            LEFT JOIN discounts d
              ON d.org_id = s.user_id AND s.plan_id = ANY(d.applies_plans)
             AND d.discount_from <= b.at AND (d.discount_until IS NULL OR d.discount_until > b.at)
            WHERE s.price > 0
            GROUP BY s.user_id, b.g
          ),
          firsts AS (
            SELECT s.user_id,
                   min(greatest(s.started_at, c.from_at)) FILTER (WHERE c.from_at IS NOT NULL)
                     AS first_paid,
                   min(s.started_at) AS opened
            FROM billing_subscriptions s
            LEFT JOIN charged c
              ON s.price > 0 AND c.from_at < coalesce(s.ended_at, 'infinity')
                 AND c.to_at > s.started_at
            GROUP BY s.user_id
          )
          SELECT a.user_id, a.currency, f.first_paid, f.opened, a.closed_at,
                 array_agg(p.g ORDER BY p.g) FILTER (WHERE p.g IS NOT NULL) AS paid_bounds,
                 array_agg(p.mrr ORDER BY p.g) FILTER (WHERE p.g IS NOT NULL) AS paid_mrr
          FROM billing_accounts a
          JOIN firsts f ON f.user_id = a.user_id
          LEFT JOIN paid p ON p.user_id = a.user_id
          GROUP BY a.user_id, a.currency, f.first_paid, f.opened, a.closed_at""");

  // per month (of the credited invoice's period_start, in the billing zone) and currency: what
  // the credit notes gave back in all, and of plan-fee lines; notes are few, read whole
  private static final NamedSql CREDIT_NOTES =
      NamedSql.of(
          """
          SELECT to_char(i.period_start AT TIME ZONE :zone, 'YYYY-MM') AS month, n.currency,
                 sum(n.total) AS all_notes,
                 coalesce(sum((SELECT sum(c.amount) FROM billing_credit_note_lines c
                               JOIN billing_invoice_lines l
                                 ON l.invoice_id = c.invoice_id AND l.line_no = c.line_no
                               WHERE c.credit_note_id = n.id AND l.kind = 'plan_fee')), 0)
                   AS plan_fees
          FROM billing_credit_notes n JOIN billing_invoices i ON i.id = n.invoice_id
          WHERE i.period_start >= :from AND i.period_start < :to
          GROUP BY 1, 2""");

  private final DataSource dataSource;
  private final Supplier<BillingMode> mode;

  /**
   * @param mode the billing mode of the config in effect now (before its first recorded change,
   *     the audit trail says which: {@link PlanFeeModes})
   */
  public RevenueAnalytics(DataSource dataSource, Supplier<BillingMode> mode) {
    this.dataSource = dataSource;
    this.mode = mode;
  }

  /**
   * The figures of each month from {@code from} to {@code to} (both included) in the billing
   * zone, per currency with organizations: by month, then currency; a currency's months before
   * its first organization opened are left out.
   */
  public List<MonthFigures> months(YearMonth from, YearMonth to, ZoneId zone) throws SQLException {
    int months = (int) from.until(to, java.time.temporal.ChronoUnit.MONTHS) + 1;
    Map<String, MrrMovements.Tally[]> tallies = new TreeMap<>();
    Map<String, Instant> firstOpened = new HashMap<>();
    Instant[] bounds = new Instant[months + 1];
    for (int g = 0; g <= months; g++) {
      bounds[g] = from.plusMonths(g).atDay(1).atStartOfDay(zone).toInstant();
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // a cursor: rows are fetched a page at a time
      try (Statement memory = c.createStatement()) {
        memory.execute("SET LOCAL work_mem = '64MB'"); // its sort by organization stays in memory
      }
      List<PlanFeeModes.Span> charged = PlanFeeModes.charged(PlanFeeModes.recorded(c), mode.get());
      try (PreparedStatement statement =
          MRR_AT_BOUNDS
              .bind("charged_from", spanEnds(c, charged, PlanFeeModes.Span::from, "-infinity"))
              .bind("charged_to", spanEnds(c, charged, PlanFeeModes.Span::to, "infinity"))
              .bind("first", from.atDay(1).atStartOfDay().toString())
              .bind("zone", zone.getId())
              .bind("months", months)
              .prepare(c)) {
        statement.setFetchSize(10_000);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            Organization organization = organization(rs, bounds);
            organization.addTo(tallies, bounds);
            if (organization.opened() != null) {
              firstOpened.merge(
                  organization.currency(), organization.opened(), RevenueAnalytics::min);
            }
          }
        }
      } finally {
        c.rollback();
      }
    }
    List<MonthFigures> figures = new ArrayList<>();
    for (int m = 0; m < months; m++) {
      for (Map.Entry<String, MrrMovements.Tally[]> currency : tallies.entrySet()) {
        Instant opened = firstOpened.get(currency.getKey());
        if (opened == null || !opened.isBefore(bounds[m + 1])) {
          continue; // no organization of the currency yet: not a month of zeros
        }
        figures.add(
            currency.getValue()[m].figures(
                from.plusMonths(m), Currency.getInstance(currency.getKey())));
      }
    }
    figures.sort(Comparator.comparing(MonthFigures::month).thenComparing(MonthFigures::currency));
    return netOfCreditNotes(figures, bounds[0], bounds[months], zone);
  }

  /** The figures with their months' credit notes ({@link MonthFigures#withCreditNotes}). */
  private List<MonthFigures> netOfCreditNotes(
      List<MonthFigures> figures, Instant from, Instant to, ZoneId zone) throws SQLException {
    Map<String, BigDecimal[]> notes = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement =
            CREDIT_NOTES.bind("zone", zone.getId()).bind("from", from).bind("to", to).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        notes.put(
            rs.getString(1) + ' ' + rs.getString(2),
            new BigDecimal[] {rs.getBigDecimal(3), rs.getBigDecimal(4)});
      }
    }
    if (notes.isEmpty()) {
      return figures;
    }
    List<MonthFigures> net = new ArrayList<>(figures.size());
    for (MonthFigures month : figures) {
      BigDecimal[] given = notes.get(month.month() + " " + month.currency());
      net.add(given == null ? month : month.withCreditNotes(given[0], given[1]));
    }
    return net;
  }

  /** The spans' starts or ends as ISO text, {@code open} where a span has none. */
  private static Array spanEnds(
      Connection c,
      List<PlanFeeModes.Span> spans,
      Function<PlanFeeModes.Span, Instant> end,
      String open)
      throws SQLException {
    return c.createArrayOf(
        "text",
        spans.stream()
            .map(end)
            .map(at -> at == null ? open : at.toString())
            .toArray(String[]::new));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /**
   * The organization of the statement's row: its MRR at each boundary, 0 where it was on no paid
   * term and from its closing on.
   */
  private static Organization organization(ResultSet rs, Instant[] bounds) throws SQLException {
    BigDecimal[] mrr = new BigDecimal[bounds.length];
    Arrays.fill(mrr, BigDecimal.ZERO);
    Array paidBounds = rs.getArray("paid_bounds");
    if (paidBounds != null) {
      Integer[] at = (Integer[]) paidBounds.getArray();
      BigDecimal[] amounts = (BigDecimal[]) rs.getArray("paid_mrr").getArray();
      for (int i = 0; i < at.length; i++) {
        mrr[at[i]] = amounts[i];
      }
    }
    Instant closed = Sql.instant(rs.getTimestamp("closed_at"));
    for (int g = 0; closed != null && g < bounds.length; g++) {
      if (!closed.isAfter(bounds[g])) {
        mrr[g] = BigDecimal.ZERO;
      }
    }
    return new Organization(
        rs.getString("user_id"),
        rs.getString("currency"),
        mrr,
        Sql.instant(rs.getTimestamp("first_paid")),
        Sql.instant(rs.getTimestamp("opened")));
  }

  /** One organization's MRR at each boundary, and when it first paid and opened. */
  private record Organization(
      String id, String currency, BigDecimal[] mrr, Instant firstPaid, Instant opened) {

    void addTo(Map<String, MrrMovements.Tally[]> tallies, Instant[] bounds) {
      MrrMovements.Tally[] months =
          tallies.computeIfAbsent(currency, c -> newTallies(bounds.length - 1));
      for (int m = 0; m < months.length; m++) {
        months[m].add(
            new AccountMonth(
                id,
                mrr[m],
                mrr[m + 1],
                firstPaid != null && firstPaid.isBefore(bounds[m]),
                opened != null && opened.isBefore(bounds[m + 1])));
      }
    }

    private static MrrMovements.Tally[] newTallies(int months) {
      MrrMovements.Tally[] tallies = new MrrMovements.Tally[months];
      for (int m = 0; m < months; m++) {
        tallies[m] = new MrrMovements.Tally();
      }
      return tallies;
    }
  }
}
