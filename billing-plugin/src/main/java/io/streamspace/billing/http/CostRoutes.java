package io.streamspace.billing.http;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoiceQueries;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /costs/monthly}: what each of a user's last billing periods cost, for a chart. */
public final class CostRoutes {

  /** The JSON body of {@code GET /costs/monthly}. */
  record MonthlyJson(String userId, String currency, List<PeriodJson> months) {}

  /**
   * A billing period's cost.
   *
   * @param invoiced Σ total of its finalized invoices, null when none
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/costs/monthly", JsonRoute.of(this::monthly));
  }

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
