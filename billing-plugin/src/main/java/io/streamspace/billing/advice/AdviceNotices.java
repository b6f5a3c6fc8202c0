package io.streamspace.billing.advice;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.AdviceAvailable;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.money.BillingPeriods;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@code billing.advice.available}: once the invoices of the last closed billing period are all
 * finalized, each organization they charged more than adviceMinSaving (in its currency: nothing
 * could save more than was paid) is priced by the {@link Advisor} once, and told when the
 * saving exceeds adviceMinSaving. Once per organization and period, across nodes and runs: a row
 * of {@code billing_advice_notices} is inserted for each organization priced (on conflict
 * nothing), and only the run whose insert made it publishes. At most {@value #PER_RUN}
 * organizations a run: a step of the hourly check-budgets, which spreads a period's pricing over
 * its first hours.
 */
public final class AdviceNotices {

  /** Organizations priced per run: each costs a handful of what-ifs. */
  static final int PER_RUN = 200;

  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT i.user_id, min(i.currency)
          FROM billing_invoices i
          JOIN unnest(:codes::text[], :mins::text[]::numeric[]) AS m(code, least)
            ON m.code = i.currency
          WHERE i.period_start >= :start AND i.period_start < :end AND i.status <> 'void'
            AND NOT EXISTS (SELECT 1 FROM billing_advice_notices n
                            WHERE n.org_id = i.user_id AND n.period_start = :start)
          GROUP BY i.user_id
          HAVING bool_and(i.status <> 'draft') AND sum(i.subtotal) > min(m.least)
          ORDER BY i.user_id LIMIT :limit""");

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_advice_notices
            (org_id, period_start, currency, paid, saving, plan_id, pack_id, published, checked_at)
          VALUES (:org_id, :period_start, :currency, :paid, :saving, :plan_id, :pack_id,
                  :published, :now)
          ON CONFLICT DO NOTHING""");

  private final DataSource dataSource;
  private final Advisor advisor;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public AdviceNotices(
      DataSource dataSource,
      Advisor advisor,
      BillingEvents events,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.advisor = advisor;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Prices the organizations due and publishes the advice worth telling.
   *
   * @return how many were published
   */
  public int send() throws Exception {
    BillingConfig current = config.get();
    List<Instant> bounds =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone())
            .lastPeriods(clock.instant(), 2);
    Instant start = bounds.get(0);
    Instant end = bounds.get(1);
    int sent = 0;
    for (Map.Entry<String, Currency> org : due(current, start, end)) {
      Currency currency = org.getValue();
      BigDecimal least = current.adviceMinSaving(currency).orElseThrow();
      Advice advice = advisor.forPeriod(org.getKey(), currency, start, end, true).orElse(null);
      if (advice == null) {
        continue;
      }
      boolean worth = advice.saving().compareTo(least) > 0;
      if (claim(org.getKey(), currency, advice, worth) && worth) {
        events.adviceAvailable(
            new AdviceAvailable(
                org.getKey(),
                currency.getCurrencyCode(),
                start,
                end,
                advice.paid(),
                advice.cheapest().planId(),
                advice.cheapest().packId(),
                advice.cheapest().total(),
                advice.saving()));
        sent++;
      }
    }
    return sent;
  }

  /** The organizations to price now, with their currency. */
  private List<Map.Entry<String, Currency>> due(BillingConfig current, Instant start, Instant end)
      throws SQLException {
    List<String> codes = new ArrayList<>();
    List<String> mins = new ArrayList<>();
    for (Currency currency : current.supportedCurrencies()) {
      current
          .adviceMinSaving(currency)
          .ifPresent(
              least -> {
                codes.add(currency.getCurrencyCode());
                mins.add(least.toPlainString());
              });
    }
    List<Map.Entry<String, Currency>> due = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            DUE.bind("codes", SqlArrays.array(connection, codes, c -> c))
                .bind("mins", SqlArrays.array(connection, mins, m -> m))
                .bind("start", start)
                .bind("end", end)
                .bind("limit", PER_RUN)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        due.add(Map.entry(rs.getString(1), Currency.getInstance(rs.getString(2).trim())));
      }
    }
    return due;
  }

  /** Whether this call made the organization's row of the period (so it is the one to tell). */
  private boolean claim(String orgId, Currency currency, Advice advice, boolean published)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return CLAIM
              .bind("org_id", orgId)
              .bind("period_start", advice.periodStart())
              .bind("currency", currency.getCurrencyCode())
              .bind("paid", advice.paid())
              .bind("saving", advice.saving())
              .bind("plan_id", advice.cheapest() == null ? null : advice.cheapest().planId())
              .bind("pack_id", advice.cheapest() == null ? null : advice.cheapest().packId())
              .bind("published", published)
              .bind("now", clock.instant())
              .update(connection)
          == 1;
    }
  }
}
