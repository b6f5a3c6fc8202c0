package io.streamspace.billing.http;

import io.streamspace.billing.admin.AccountOrder;
import io.streamspace.billing.admin.AccountOverview;
import io.streamspace.billing.admin.AccountOverviewQueries;
import io.streamspace.billing.quota.JudgedMeters;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.time.Instant;
import java.util.List;

/** {@code GET /admin/users}: every account's plan, money figures and status, a page at a time. */
public final class AdminUserRoutes {

  /** The JSON body: the current period the costs cover, a page of accounts, the next offset. */
  record UsersJson(
      Instant periodStart, Instant periodEnd, List<AccountOverview> users, Integer nextOffset) {}

  private final AccountOverviewQueries overviews;
  private final Quotas quotas;

  public AdminUserRoutes(AccountOverviewQueries overviews, Quotas quotas) {
    this.overviews = overviews;
    this.quotas = quotas;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/users", JsonRoute.of(this::users));
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

  /**
   * 200 with accounts ordered by {@code sort} ({@code user_id} by default, {@code
   * current_period_cost}, {@code outstanding_balance} or {@code credit_balance}; a leading
   * {@code -} for descending; ties by user id), filtered by {@code status} (exact), {@code
   * user_id} (prefix: an exact id matches itself and any id it starts) and {@code quota_state}
   * (accounts with a meter in that state, as {@code GET /admin/quotas} judges it) and {@code
   * kind} ({@code personal} or {@code team} organizations); 400 naming {@code sort}, {@code
   * quota_state}, {@code kind}, {@code limit} or {@code offset}; 401/403 unless admin. Each
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
    AccountOverviewQueries.Filter filter =
        new AccountOverviewQueries.Filter(
            QueryParams.of(request, "status").orElse(null),
            QueryParams.of(request, "user_id").orElse(null),
            QuotaRoutes.overThresholdState(request, "quota_state"),
            kind(request),
            sort.order(),
            sort.descending());
    Page page = Page.of(request);
    JudgedMeters judged = quotas.judgedMeters();
    List<AccountOverview> rows = overviews.page(filter, page.limit() + 1, page.offset(), judged);
    return new UsersJson(
        judged.at().periodStart(), judged.at().periodEnd(), page.rows(rows), page.nextOffset(rows));
  }
}
