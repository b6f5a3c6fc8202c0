package io.streamspace.billing.http;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentQueries;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Stripe payments of invoices, newest first, paginated: {@code GET /payments} (a user's own;
 * an admin's {@code user_id} names anyone's) and {@code GET /admin/payments?status=} (admin).
 */
public final class PaymentRoutes {

  private static final Set<String> STATUSES =
      Set.of("failed", "succeeded", "amount_mismatch", "refunded");

  /** The JSON body of {@code GET /payments}. */
  record UserPaymentsJson(String userId, List<Payment> payments, Integer nextOffset) {}

  /** The JSON body of {@code GET /admin/payments}. */
  record PaymentsJson(List<Payment> payments, Integer nextOffset) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final PaymentQueries payments;
  private final Supplier<BillingConfig> config;

  public PaymentRoutes(
      OrgAccess access,
      AccountRepository accounts,
      PaymentQueries payments,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.payments = payments;
    this.config = config;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/payments", JsonRoute.of(this::ofUser));
    routes.add(HttpMethod.GET, "/admin/payments", JsonRoute.of(this::all));
  }

  /** 200 with a page; 400 naming limit/offset; 401; 403 as {@link OrgAccess} decides. */
  UserPaymentsJson ofUser(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    List<Payment> rows = payments.ofUser(subject.orgId(), page.limit() + 1, page.offset());
    return new UserPaymentsJson(subject.orgId(), page.rows(rows), page.nextOffset(rows));
  }

  /** 200 with a page, of one status if given; 400 naming status, limit or offset; 401/403. */
  PaymentsJson all(HttpRequest request) throws Exception {
    Access.admin(request);
    String status = QueryParams.of(request, "status").orElse(null);
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.badParameter(
          "status", "status must be failed, succeeded, amount_mismatch or refunded");
    }
    Page page = Page.of(request);
    List<Payment> rows = payments.all(status, page.limit() + 1, page.offset());
    return new PaymentsJson(page.rows(rows), page.nextOffset(rows));
  }
}
