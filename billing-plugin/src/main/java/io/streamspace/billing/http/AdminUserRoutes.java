package io.streamspace.billing.http;

import io.streamspace.billing.admin.AccountOverview;
import io.streamspace.billing.admin.AccountOverviewQueries;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /admin/users}: every account's plan, money figures and status, a page at a time. */
public final class AdminUserRoutes {

  /** The JSON body: the current period the costs cover, a page of accounts, the next offset. */
  record UsersJson(
      Instant periodStart, Instant periodEnd, List<AccountOverview> users, Integer nextOffset) {}

  private final AccountOverviewQueries overviews;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public AdminUserRoutes(
      AccountOverviewQueries overviews, Supplier<BillingConfig> config, Clock clock) {
    this.overviews = overviews;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/users", JsonRoute.of(this::users));
  }

  /**
   * 200 with accounts ordered by user id, filtered by {@code status} (exact) and {@code user_id}
   * (prefix: an exact id matches itself and any id it starts); 400 naming {@code limit}/
   * {@code offset}; 401/403 unless admin.
   *
   * <p>The current-period cost is the usage of [the last invoice day's midnight in the billing
   * zone, the next) at the rates, whatever the billing mode: for subscription and hybrid modes
   * it does not yet net out what the plan includes (nor add its fee).
   */
  UsersJson users(HttpRequest request) throws Exception {
    Access.admin(request);
    Page page = Page.of(request);
    BillingConfig current = config.get();
    Instant now = clock.instant();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant periodStart = periods.periodStart(now);
    Instant periodEnd = periods.periodEnd(now);
    List<AccountOverview> rows =
        overviews.page(
            request.queryParam("status").orElse(null),
            request.queryParam("user_id").orElse(null),
            page.limit() + 1,
            page.offset(),
            periodStart,
            periodEnd,
            now);
    return new UsersJson(periodStart, periodEnd, page.rows(rows), page.nextOffset(rows.size()));
  }
}
