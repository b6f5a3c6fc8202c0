package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.forecast.Forecast;
import io.streamspace.billing.forecast.Forecasts;
import io.streamspace.billing.forecast.Forecasts.OrgForecast;
import io.streamspace.billing.money.Money;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /forecast}: the current billing period's projected total for an organization, with
 * its range and what it crosses before the period ends ({@link Forecasts}).
 */
public final class ForecastRoutes {

  // the bodies and answers of these routes

  private static final Schema MONEY = number().description("in the organization's currency");

  static final Schema FORECAST =
      Schema.component(
          "Forecast",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req("at", string().format("date-time").description("when it was made"))
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req("p10", MONEY)
              .req("p50", MONEY)
              .req("p90", MONEY)
              .req(
                  "crosses",
                  array(
                          object()
                              .req(
                                  "what",
                                  string()
                                      .description(
                                          """
                                          spending_limit, budget, prepaid_balance, \
                                          member_budget:<member id>"""))
                              .req("amount", MONEY)
                              .req(
                                  "at",
                                  string()
                                      .format("date-time")
                                      .description(
                                          """
                                          when the p50 path reaches it (`at` of the forecast \
                                          when the spend already has)""")))
                      .description(
                          "what the p50 paths reach before the period ends, soonest first"))
              .req(
                  "inputs",
                  object()
                      .req("billing_mode", string().enumOf("usage", "subscription", "hybrid"))
                      .req(
                          "spent",
                          number()
                              .description(
                                  "the organization's path's start: estimate.total + unrated"))
                      .req("estimate", SpendingLimitRoutes.ESTIMATE)
                      .req(
                          "unrated",
                          number()
                              .description(
                                  """
                                  the running sessions' cost since last rated (usage mode)"""))
                      .req(
                          "history",
                          object()
                              .req("from", string().format("date").orNull())
                              .req("to", string().format("date").orNull())
                              .req("days", integer().min(0).max(Forecast.HISTORY_DAYS)))
                      .req(
                          "profile",
                          object()
                              .additionalProperties(number())
                              .description(
                                  "each weekday's level (monday … sunday): its mean cost a day"))
                      .req(
                          "running_sessions",
                          object()
                              .req("count", integer().min(0))
                              .req("cost_per_hour", number())
                              .req(
                                  "to_period_end",
                                  number()
                                      .description(
                                          """
                                          what they would add if none stopped before the \
                                          period ends: an upper view, not in the range""")))
                      .req("draws", integer())));

  /** The answer. */
  record ForecastJson(
      String orgId,
      String currency,
      Instant at,
      Instant periodStart,
      Instant periodEnd,
      BigDecimal p10,
      BigDecimal p50,
      BigDecimal p90,
      List<CrossingJson> crosses,
      InputsJson inputs) {

    static ForecastJson of(OrgForecast f) {
      Currency c = f.account().currency();
      Forecast forecast = f.forecast();
      return new ForecastJson(
          f.account().orgId(),
          c.getCurrencyCode(),
          f.at(),
          f.periodStart(),
          f.periodEnd(),
          Money.rounded(forecast.p10(), c),
          Money.rounded(forecast.p50(), c),
          Money.rounded(forecast.p90(), c),
          f.crosses().stream()
              .map(x -> new CrossingJson(x.what(), Money.rounded(x.amount(), c), x.at()))
              .toList(),
          InputsJson.of(f));
    }
  }

  record CrossingJson(String what, BigDecimal amount, Instant at) {}

  record InputsJson(
      String billingMode,
      BigDecimal spent,
      SpendingLimitRoutes.EstimateJson estimate,
      BigDecimal unrated,
      HistoryJson history,
      Map<String, BigDecimal> profile,
      RunningJson runningSessions,
      int draws) {

    static InputsJson of(OrgForecast f) {
      Currency c = f.account().currency();
      Map<String, BigDecimal> profile = new LinkedHashMap<>();
      for (Map.Entry<DayOfWeek, BigDecimal> level : f.forecast().profile().entrySet()) {
        profile.put(
            level.getKey().name().toLowerCase(Locale.ROOT), Money.rounded(level.getValue(), c));
      }
      boolean none = f.historyDays().isEmpty();
      return new InputsJson(
          f.mode().configName(),
          Money.rounded(f.forecast().soFar(), c),
          SpendingLimitRoutes.EstimateJson.of(f.estimate(), c),
          Money.rounded(f.unrated(), c),
          new HistoryJson(
              none ? null : f.historyDays().get(0).toString(),
              none ? null : f.historyDays().get(f.historyDays().size() - 1).toString(),
              f.historyDays().size()),
          profile,
          new RunningJson(
              f.running().count(),
              Money.rounded(f.running().perHour(), c),
              Money.rounded(f.running().toPeriodEnd(), c)),
          Forecast.DRAWS);
    }
  }

  record HistoryJson(String from, String to, int days) {}

  record RunningJson(int count, BigDecimal costPerHour, BigDecimal toPeriodEnd) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Forecasts forecasts;

  public ForecastRoutes(OrgAccess access, AccountRepository accounts, Forecasts forecasts) {
    this.access = access;
    this.accounts = accounts;
    this.forecasts = forecasts;
  }

  public void register(DescribedRoutes routes) {
    routes.add(GET, JsonRoute.of(this::get));
  }

  static final Operation GET =
      Operation.get("/forecast")
          .orgAdmin()
          .summary("The period's projected total, with a range and what it crosses")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","currency","at","period_start","period_end","p10","p50","p90",\
              "crosses":[{"what","amount","at"}],"inputs"}`: what the current billing period \
              will have cost by its end, before credits, as its median (`p50`) and a range \
              (`p10`–`p90`), drawn from the organization's own last days by weekday from what it \
              spent so far (`inputs.spent`: the period's estimate as `GET /spending-limit` shows \
              it, plus the running sessions' cost since last rated); `crosses`: the spending \
              limit, the organization's budget and its members' budgets (each on the member's \
              own usage) that the p50 path reaches before the period ends, and when; `inputs`: \
              what was used. The same figures give the same answer. How it is drawn: \
              [Forecast and budgets](../billing-rules.md#forecast-and-budgets). 401, 403, 404 for \
              an organization without a billing account.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, FORECAST)
          .errors(404);

  /** 200 with the organization's forecast now; 401; 403 as {@link OrgAccess} decides; 404. */
  ForecastJson get(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.ADMIN).id();
    Account account =
        accounts
            .find(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
    return ForecastJson.of(forecasts.of(account));
  }
}
