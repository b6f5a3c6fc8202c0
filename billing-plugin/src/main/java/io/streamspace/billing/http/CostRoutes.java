package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoiceQueries;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /costs/monthly}: what each of a user's last billing periods cost, for a chart. */
public final class CostRoutes {

  // the bodies and answers of these routes

  static final Schema MONTHLY_COSTS =
      Schema.component(
          "MonthlyCosts",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req(
                  "months",
                  array(
                      object()
                          .req("period_start", string().format("date-time"))
                          .req("period_end", string().format("date-time"))
                          .req("invoiced", number().orNull())
                          .req("estimate", number().orNull()))));

  /** The JSON body of {@code GET /costs/monthly}. */
  record MonthlyJson(String userId, String currency, List<PeriodJson> months) {}

  /**
   * A billing period's cost.
   *
   * @param invoiced Σ total of its finalized invoices net of their credit notes, null when none
   * @param estimate the current period's estimated invoice so far (as {@code GET
   *     /spending-limit} shows it), null for a past period
   */
  record PeriodJson(
      Instant periodStart, Instant periodEnd, BigDecimal invoiced, BigDecimal estimate) {}

  static final int DEFAULT_MONTHS = 12;
  static final int MAX_MONTHS = 36;

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final InvoiceQueries invoices;
  private final SpendingLimits spending;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CostRoutes(
      OrgAccess access,
      AccountRepository accounts,
      InvoiceQueries invoices,
      SpendingLimits spending,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.invoices = invoices;
    this.spending = spending;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(MONTHLY, JsonRoute.of(this::monthly));
  }

  static final Operation MONTHLY =
      Operation.get("/costs/monthly")
          .orgAdmin()
          .summary("Cost per billing period for a chart")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              Cost per billing period for a chart: \
              `{"user_id","currency","months":[{"period_start","period_end","invoiced","estimate"}]\
              }`, the last `months` periods (1–36, default 12), oldest first, the current one \
              last; `invoiced` Σ `total` − `credited` (each at least 0) of the account's \
              finalized invoices (`sent`, `paid`, `overdue`; not drafts, not void) whose period \
              starts in it, net of their credit notes, null when none; \
              `estimate` for the current period only (null before it): what its invoice would \
              charge so far, before credits, as `GET /spending-limit`'s `estimate.total`. 403 for \
              another user's, 404 for an unknown user (admin), 400 naming `months` when bad.""")
          .params(
              Param.ORG_ID,
              Param.query("months", integer().min(1).max(36).defaultValue(12)),
              Param.USER_ID)
          .answers(200, MONTHLY_COSTS)
          .errors(400, 404);

  /**
   * 200 with the last {@code months} billing periods (1 to {@value #MAX_MONTHS}, default {@value
   * #DEFAULT_MONTHS}), oldest first, the current one last; 400 naming {@code months}; 401; 403
   * as {@link OrgAccess} decides; 404 for an unknown organization (platform admin).
   */
  MonthlyJson monthly(HttpRequest request) throws Exception {
    BillingConfig current = config.get();
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, current);
    int months = Page.intParam(request, "months", DEFAULT_MONTHS, 1, MAX_MONTHS);
    Currency currency = subject.currency();
    List<Instant> bounds =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone())
            .lastPeriods(clock.instant(), months);
    List<BigDecimal> invoiced = invoices.invoicedPerRange(subject.orgId(), bounds);
    BigDecimal estimate = spending.estimate(subject.orgId(), currency).total();
    List<PeriodJson> answer = new ArrayList<>();
    for (int i = 0; i < months; i++) {
      BigDecimal total = invoiced.get(i);
      answer.add(
          new PeriodJson(
              bounds.get(i),
              bounds.get(i + 1),
              total == null ? null : Money.shown(total, currency),
              i == months - 1 ? Money.shown(estimate, currency) : null));
    }
    return new MonthlyJson(subject.orgId(), currency.getCurrencyCode(), answer);
  }
}
