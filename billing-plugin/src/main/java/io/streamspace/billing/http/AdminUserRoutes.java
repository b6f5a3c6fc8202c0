package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.admin.AccountOrder;
import io.streamspace.billing.admin.AccountOverview;
import io.streamspace.billing.admin.AccountOverviewQueries;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.quota.JudgedMeters;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /admin/users}: every account's plan, money figures and status, a page at a time. */
public final class AdminUserRoutes {

  // the bodies and answers of these routes

  static final Schema ACCOUNT_OVERVIEW =
      Schema.component(
          "AccountOverview",
          object()
              .req("user_id", string())
              .req("email", string().orNull())
              .req(
                  "name",
                  string()
                      .orNull()
                      .description(
                          """
                          a team organization's name (its org.created's); null for a personal \
                          one"""))
              .req(
                  "personal",
                  bool()
                      .description(
                          """
                          a user's personal organization (its id is the user's), else a team's"""))
              .req(
                  "members",
                  integer().description("its members now: 1 for a personal organization"))
              .req("plan_id", string().orNull())
              .req("currency", string())
              .req("current_period_cost", number())
              .req("outstanding_balance", number())
              .req("credit_balance", number())
              .req("status", string())
              .req("holds", array(string()))
              .req("quota_state", string())
              .req(
                  "quota_meters",
                  array(
                      object()
                          .req("meter", string())
                          .req("state", string())
                          .req("percent", number().orNull())))
              .req(
                  "revenue",
                  array(object().req("currency", string()).req("invoiced", number()))
                      .description(
                          """
                          what it was invoiced, ever, per currency (by code): Σ total of its \
                          finalized invoices not void (sent, paid, overdue) net of their credit \
                          notes, as the dashboard counts revenue; empty before its first""")));

  static final Schema ADMIN_USERS =
      Schema.component(
          "AdminUsers",
          object()
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req("users", array(ACCOUNT_OVERVIEW))
              .req("next_offset", integer().orNull()));

  /** The JSON body: the current period the costs cover, a page of accounts, the next offset. */
  record UsersJson(
      Instant periodStart, Instant periodEnd, List<AccountOverview> users, Integer nextOffset) {}

  private final AccountOverviewQueries overviews;
  private final Quotas quotas;
  private final Supplier<BillingConfig> config;

  public AdminUserRoutes(
      AccountOverviewQueries overviews, Quotas quotas, Supplier<BillingConfig> config) {
    this.overviews = overviews;
    this.quotas = quotas;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(USERS, JsonRoute.of(this::users));
  }

  /** An ISO date (midnight in the billing zone) or instant; null when not given; 400 naming it. */
  private static Instant instant(HttpRequest request, String name, ZoneId zone)
      throws ApiException {
    String value = QueryParams.of(request, name).orElse(null);
    return value == null ? null : TimeRange.instantOrDate(value, name, zone);
  }

  /** {@code kind}: true for personal organizations, false for teams, null for both. */
  private static Boolean kind(HttpRequest request) throws ApiException {
    String kind = QueryParams.of(request, "kind").orElse(null);
    if (kind == null) {
      return null;
    }
    return switch (kind) {
      case "personal" -> true;
      case "team" -> false;
      default -> throw ApiException.badParameter("kind", "kind must be personal or team");
    };
  }

  static final Operation USERS =
      Operation.get("/admin/users")
          .admin()
          .summary("Every account (organization) at a glance")
          .description(
              """
              Who: admin. Each account is an organization: a user's personal one or a team's, with \
              its name, members now, plan and revenue per currency.

              `{"period_start","period_end","users":[{"user_id","email","name","personal","members"\
              ,"plan_id","currency","current_period_cost","outstanding_balance","credit_balance","s\
              tatus","holds","quota_state","quota_meters":[{"meter","state","percent"}],"revenue":[\
              {"currency","invoiced"}]}],"next_offset"}`, one row per organization (its account): \
              `name` a team's (null for a personal one), `personal`, `members` now (1 for a \
              personal one), `revenue` Σ `total` − `credited` (each at least 0) of its \
              finalized invoices not void ever, per currency, as the dashboard counts revenue \
              (`[]` before any); `kind` \
              (`personal` or \
              `team`, 400 naming it otherwise) filters by kind; `from` (inclusive) and `to` \
              (exclusive; dates = midnight in the billing zone, or instants; either may be left \
              out; 400 naming the bad one, `to` when not after `from`) keep the accounts opened \
              in the range (the earliest event that showed them) or with activity in it: a usage \
              record whose slice starts in it (a session held resources, or storage was kept, \
              that hour), a usage report of a counted meter that occurred in it, or an invoice \
              with a total above zero finalized or paid in it (each read through the account's \
              own index, in the page's statement); ordered by `sort`: `user_id` (the \
              default), `current_period_cost`, `outstanding_balance` or `credit_balance`, \
              ascending, or descending with a leading `-` (`-credit_balance`); ties always by user \
              id ascending; amounts of different currencies compare as plain numbers (100 VND \
              after 5.00 USD). The cost sorted by is the one shown, each line rounded before the \
              lines are added. 400 naming `sort` for any other value. `holds`: the reasons of the \
              account's active holds, oldest first (`over_limit` while suspended for being over a \
              hard limit; `non_payment` while locked read-only for non-payment), `[]` when none: \
              while any is on, its sessions are suspended and new ones refused; `status` is the \
              account's stored status, which holds do not change. `quota_meters`: the account's \
              meters at or over the alert threshold now, worst first (highest percent, a zero \
              limit used at all, whose `percent` is null, before any; at or over the limit before \
              `warning`), judged as `/admin/quotas` judges them; `quota_state`: the first one's \
              state, `ok` when there is none. `status` filters exactly; `user_id` by prefix (an \
              exact id matches itself and every id that starts with it; `%` and `_` are literal); \
              `quota_state` (`warning`, `exceeded` or `confirmation_required`, 400 naming it \
              otherwise) keeps the accounts with at least one meter in that state now, judged by \
              the very SQL of `/admin/quotas` (quota.JudgedMeters). `current_period_cost`: usage \
              of the current billing period so far at the rates, rounded per line as `/usage` (in \
              subscription and hybrid modes it does not yet net out the plan); \
              `outstanding_balance`: Σ `amount_due` of `sent` and `overdue` invoices; \
              `credit_balance`: \
              unexpired remaining credit. One SQL statement per page; ordered by user id it \
              computes the figures and quota states of the page's accounts only \
              (`AccountOverviewPlanTest` reads its plan), ordered by a figure (or filtered by \
              `quota_state`) it computes that for every account first. Pages by `limit` (1-100, \
              default 20) and `offset` (≥ 0), 400 naming the bad one, `next_offset` null on the \
              last page.""")
          .params(
              Param.query("status", string()).description("the account's status, exactly"),
              Param.query("user_id", string()).description("a prefix of the user id"),
              Param.query(
                  "quota_state", string().enumOf("warning", "exceeded", "confirmation_required")),
              Param.query("kind", string().enumOf("personal", "team"))
                  .description("personal organizations only, or team ones only"),
              Param.query("from", string())
                  .description(
                      """
                      a date (midnight in the billing zone) or an instant: accounts opened or \
                      active from then (inclusive)"""),
              Param.query("to", string()).description("as from; exclusive"),
              Param.query(
                      "sort",
                      string()
                          .enumOf(
                              "user_id",
                              "current_period_cost",
                              "outstanding_balance",
                              "credit_balance",
                              "-user_id",
                              "-current_period_cost",
                              "-outstanding_balance",
                              "-credit_balance")
                          .defaultValue("user_id"))
                  .description("a leading - for descending"),
              Param.LIMIT,
              Param.OFFSET)
          .answers(200, ADMIN_USERS)
          .errors(400);

  /**
   * 200 with accounts ordered by {@code sort} ({@code user_id} by default, {@code
   * current_period_cost}, {@code outstanding_balance} or {@code credit_balance}; a leading
   * {@code -} for descending; ties by user id), filtered by {@code status} (exact), {@code
   * user_id} (prefix: an exact id matches itself and any id it starts) and {@code quota_state}
   * (accounts with a meter in that state, as {@code GET /admin/quotas} judges it) and {@code
   * kind} ({@code personal} or {@code team} organizations) and {@code from}/{@code to} (opened or
   * active in the range: AccountOverviewQueries.OPENED_OR_ACTIVE); 400 naming {@code sort},
   * {@code quota_state}, {@code kind}, {@code from}, {@code to}, {@code limit} or {@code offset};
   * 401/403 unless admin. Each
   * account is an organization: its name, kind, members now and revenue per currency too.
   *
   * <p>The current-period cost is the usage of [the last invoice day's midnight in the billing
   * zone, the next) at the rates, whatever the billing mode: for subscription and hybrid modes
   * it does not yet net out what the plan includes (nor add its fee).
   */
  UsersJson users(HttpRequest request) throws Exception {
    Access.admin(request);
    SortParam<AccountOrder> sort =
        SortParam.of(
            request,
            AccountOrder.USER_ID.jsonName(),
            AccountOrder::named,
            "user_id, current_period_cost, outstanding_balance or credit_balance");
    ZoneId zone = config.get().billingTimeZone();
    Instant from = instant(request, "from", zone);
    Instant to = instant(request, "to", zone);
    if (from != null && to != null && !from.isBefore(to)) {
      throw ApiException.badParameter("to", "to must be after from");
    }
    AccountOverviewQueries.Filter filter =
        new AccountOverviewQueries.Filter(
            QueryParams.of(request, "status").orElse(null),
            QueryParams.of(request, "user_id").orElse(null),
            QuotaRoutes.overThresholdState(request, "quota_state"),
            kind(request),
            from,
            to,
            sort.order(),
            sort.descending());
    Page page = Page.of(request);
    JudgedMeters judged = quotas.judgedMeters();
    List<AccountOverview> rows = overviews.page(filter, page.limit() + 1, page.offset(), judged);
    return new UsersJson(
        judged.at().periodStart(), judged.at().periodEnd(), page.rows(rows), page.nextOffset(rows));
  }
}
