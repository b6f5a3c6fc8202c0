package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.quota.AccountQuota;
import io.streamspace.billing.quota.MeterQuota;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /summary}: the quick stats a platform shows in its sidebar, in one small read: the
 * plan, the meters nearest their limits, the period's cost so far and one status. What the full
 * pages show at length ({@code /quota}, {@code /spending-limit}, {@code /subscription}), cut to
 * what fits beside a menu.
 */
public final class SummaryRoutes {

  /** How many meters a summary names: those nearest their limits. */
  static final int METERS = 3;

  static final Schema SUMMARY =
      Schema.component(
          "Summary",
          object()
              .req("org_id", string())
              .req("plan_id", string())
              .req("plan_name", string())
              .req("currency", string())
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req(
                  "meters",
                  array(
                      object()
                          .req("meter", string())
                          .req("name", string())
                          .req("unit", string())
                          .req("used", number())
                          .req("limit", number())
                          .req("percent", number().orNull())
                          .req("state", string())))
              .req(
                  "cost_so_far",
                  number()
                      .orNull()
                      .description(
                          "the period's cost so far before credits (the estimate's total); null"
                              + " for a Member, who does not see the organization's costs"))
              .req(
                  "status",
                  string()
                      .enumOf(
                          "ok",
                          "warning",
                          "confirmation_required",
                          "exceeded",
                          "account_locked",
                          "account_suspended",
                          "spending_limit_reached")));

  /** One meter near its limit, as {@code /quota} says it. */
  record MeterJson(
      String meter,
      String name,
      String unit,
      BigDecimal used,
      BigDecimal limit,
      BigDecimal percent,
      String state) {}

  record SummaryJson(
      String orgId,
      String planId,
      String planName,
      String currency,
      Instant periodStart,
      Instant periodEnd,
      List<MeterJson> meters,
      BigDecimal costSoFar,
      String status) {}

  /**
   * The meters nearest their limits first: a zero limit used at all (no percent) before any,
   * then by percent, highest first; in the config's order among equals.
   */
  private static final Comparator<MeterQuota> NEAREST_FIRST =
      Comparator.comparing((MeterQuota m) -> m.percent() != null)
          .thenComparing(
              MeterQuota::percent, Comparator.nullsFirst(Comparator.<BigDecimal>reverseOrder()));

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Quotas quotas;
  private final SpendingLimits spending;
  private final AccountHolds holds;
  private final Supplier<BillingConfig> config;

  public SummaryRoutes(
      OrgAccess access,
      AccountRepository accounts,
      Quotas quotas,
      SpendingLimits spending,
      AccountHolds holds,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.quotas = quotas;
    this.spending = spending;
    this.holds = holds;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(SUMMARY_ROUTE, JsonRoute.of(this::summary));
  }

  static final Operation SUMMARY_ROUTE =
      Operation.get("/summary")
          .orgMember()
          .summary("The organization's quick stats, for a sidebar")
          .description(
              """
              Who: any member of the organization; a platform admin.

              `{"org_id","plan_id","plan_name","currency","period_start","period_end","meters":\
              [{"meter","name","unit","used","limit","percent","state"}],"cost_so_far","status"}`: \
              the plan; the limited meters nearest their limits, at most three (a zero limit used \
              at all first, then by percent, highest first), as `/quota` reads them now; \
              `cost_so_far`, the current period's estimated cost before credits (the total of \
              `/spending-limit`'s estimate), null for a Member, who does not see the \
              organization's costs; and one `status`, the worst that applies: the hold that \
              refuses new sessions (`account_locked`, `account_suspended`, \
              `spending_limit_reached`), else the worst meter's state (`exceeded`, \
              `confirmation_required`, `warning`), else `ok`. 401, 403 `not_a_member`, 404 for \
              an organization without a billing account.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SUMMARY)
          .errors(404);

  /** 200 with the summary; 401; 403 for a non-member; 404 for an organization without one. */
  SummaryJson summary(HttpRequest request) throws Exception {
    SubjectOrg org = access.organization(request, MemberRole.MEMBER);
    Account account =
        accounts
            .find(org.id())
            .orElseThrow(() -> ApiException.notFound("no billing account for " + org.id()));
    AccountQuota quota =
        quotas
            .of(org.id())
            .orElseThrow(() -> ApiException.notFound("no billing account for " + org.id()));
    SpendingLimits.Status spent = spending.status(account);
    boolean seesCosts = org.role() == null || org.role().includes(MemberRole.ADMIN);
    List<MeterQuota> limited =
        quota.meters().stream().filter(m -> m.limit() != null).sorted(NEAREST_FIRST).toList();
    return new SummaryJson(
        org.id(),
        account.planId(),
        config.get().plan(account.planId()).map(SubscriptionPlan::name).orElse(account.planId()),
        account.currency().getCurrencyCode(),
        spent.periodStart(),
        spent.periodEnd(),
        limited.stream().limit(METERS).map(SummaryRoutes::meterJson).toList(),
        seesCosts ? Money.shown(spent.estimate().total(), account.currency()) : null,
        status(org.id(), limited));
  }

  private static MeterJson meterJson(MeterQuota m) {
    return new MeterJson(
        m.meter().configName(),
        m.meter().name(),
        m.meter().unit(),
        m.used(),
        m.limit(),
        m.percent(),
        m.state().jsonName());
  }

  /** The hold that refuses new sessions, else the worst meter's state, else ok. */
  private String status(String orgId, List<MeterQuota> limited) {
    return holds
        .heldFor(orgId)
        .map(held -> held.reason().admissionCode())
        .orElseGet(
            () ->
                limited.stream()
                    .map(MeterQuota::state)
                    .max(Comparator.comparingInt(SummaryRoutes::severity))
                    .orElse(QuotaState.OK)
                    .jsonName());
  }

  private static int severity(QuotaState state) {
    return switch (state) {
      case OK -> 0;
      case WARNING -> 1;
      case CONFIRMATION_REQUIRED -> 2;
      case EXCEEDED -> 3;
    };
  }
}
