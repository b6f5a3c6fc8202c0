package io.streamspace.billing.forecast;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.BudgetAlert;
import io.streamspace.billing.money.Money;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Budget alerts: for every open organization with a budget, its forecast now ({@link
 * Forecasts}), and {@code billing.budget.forecast_exceeded} for each budget whose subject's p50
 * path crosses it before the period ends, with the budget, the forecast and the crossing. Once
 * per budget (its organization, member and amount) and billing period, across nodes and runs: a
 * row of {@code billing_budget_alerts} is claimed first (inserted, on conflict nothing), and only
 * the run that made it publishes, as spend alerts are sent. One organization at a time, as
 * spending limits are checked: budgets are set by few.
 */
public final class BudgetAlerts {

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_budget_alerts
            (org_id, member_id, amount, period_start, p50, crosses_at, sent_at)
          VALUES (:org_id, :member_id, :amount, :period_start, :p50, :crosses_at, :now)
          ON CONFLICT DO NOTHING""");

  private final DataSource dataSource;
  private final Budgets budgets;
  private final Forecasts forecasts;
  private final AccountRepository accounts;
  private final BillingEvents events;
  private final Clock clock;

  public BudgetAlerts(
      DataSource dataSource,
      Budgets budgets,
      Forecasts forecasts,
      AccountRepository accounts,
      BillingEvents events,
      Clock clock) {
    this.dataSource = dataSource;
    this.budgets = budgets;
    this.forecasts = forecasts;
    this.accounts = accounts;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Sends the alerts of every budget crossed and not told yet this period.
   *
   * @return how many were sent
   */
  public int send() throws SQLException {
    Map<String, List<Budget>> byOrganization = new LinkedHashMap<>();
    for (Budget budget : budgets.all()) {
      byOrganization.computeIfAbsent(budget.orgId(), o -> new ArrayList<>()).add(budget);
    }
    int sent = 0;
    for (Map.Entry<String, List<Budget>> organization : byOrganization.entrySet()) {
      Optional<Account> account = accounts.find(organization.getKey());
      if (account.isEmpty()) {
        continue;
      }
      Forecasts.OrgForecast forecast = forecasts.of(account.get(), organization.getValue());
      for (Budget budget : organization.getValue()) {
        Forecast path = forecast.of(budget);
        Optional<Instant> crosses = path.crossing(budget.amount());
        if (crosses.isPresent() && claim(forecast, budget, path, crosses.get())) {
          events.budgetForecastExceeded(alert(forecast, budget, path, crosses.get()));
          sent++;
        }
      }
    }
    return sent;
  }

  /** Whether this call made the alert's row (so it is the one to publish it). */
  private boolean claim(
      Forecasts.OrgForecast forecast, Budget budget, Forecast path, Instant crosses)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return CLAIM
              .bind("org_id", budget.orgId())
              .bind("member_id", budget.memberId())
              .bind("amount", budget.amount())
              .bind("period_start", forecast.periodStart())
              .bind("p50", path.p50())
              .bind("crosses_at", crosses)
              .bind("now", clock.instant())
              .update(connection)
          == 1;
    }
  }

  private static BudgetAlert alert(
      Forecasts.OrgForecast forecast, Budget budget, Forecast path, Instant crosses) {
    Currency currency = forecast.account().currency();
    return new BudgetAlert(
        budget.orgId(),
        budget.memberId(),
        currency.getCurrencyCode(),
        Money.rounded(budget.amount(), currency),
        budget.period(),
        forecast.periodStart(),
        forecast.periodEnd(),
        Money.rounded(path.soFar(), currency),
        Money.rounded(path.p10(), currency),
        Money.rounded(path.p50(), currency),
        Money.rounded(path.p90(), currency),
        crosses);
  }
}
