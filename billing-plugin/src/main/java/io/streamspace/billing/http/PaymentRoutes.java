package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentQueries;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Stripe payments of invoices, newest first, paginated: {@code GET /payments} (a user's own;
 * an admin's {@code user_id} names anyone's) and {@code GET /admin/payments?status=} (admin).
 */
public final class PaymentRoutes {

  // the bodies and answers of these routes

  static final Schema PAYMENT =
      Schema.component(
          "Payment",
          object()
              .req("id", integer())
              .req("invoice_id", integer())
              .req("invoice_number", string().orNull())
              .req("user_id", string())
              .req("amount", number())
              .req("currency", string())
              .req("status", string().enumOf("failed", "succeeded", "amount_mismatch", "refunded"))
              .req("amount_refunded", number().orNull())
              .req("payment_intent_id", string().orNull())
              .req("charge_id", string().orNull())
              .req("failure_code", string().orNull())
              .req("failure_reason", string().orNull())
              .req("created_at", string().format("date-time"))
              .req("updated_at", string().format("date-time")));

  static final Schema PAYMENTS =
      Schema.component(
          "Payments",
          object().req("payments", array(PAYMENT)).req("next_offset", integer().orNull()));

  static final Schema USER_PAYMENTS =
      Schema.component(
          "UserPayments",
          object()
              .req("user_id", string())
              .req("payments", array(PAYMENT))
              .req("next_offset", integer().orNull()));

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

  public void register(DescribedRoutes routes) {
    routes.add(OF_USER, JsonRoute.of(this::ofUser));
    routes.add(ALL, JsonRoute.of(this::all));
  }

  static final Operation OF_USER =
      Operation.get("/payments")
          .orgAdmin()
          .summary("Payments, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"user_id","payments":[{"id","invoice_id","invoice_number","user_id","amount","curre\
              ncy","status","amount_refunded","payment_intent_id","charge_id","failure_code","failu\
              re_reason","created_at","updated_at"}],"next_offset"}`, newest PaymentIntent first; \
              `status` `failed`, `succeeded`, `amount_mismatch` or `refunded`; `payment_intent_id` \
              is the Stripe invoice's `in_…` id for an invoice Stripe collected itself \
              (stripeCollection `stripe_invoices`). Pages by `limit` (1-100, default 20) and \
              `offset` (≥ 0), 400 naming the bad one, `next_offset` null on the last page.""")
          .params(Param.ORG_ID, Param.USER_ID, Param.LIMIT, Param.OFFSET)
          .answers(200, USER_PAYMENTS)
          .errors(400, 404);

  /** 200 with a page; 400 naming limit/offset; 401; 403 as {@link OrgAccess} decides. */
  UserPaymentsJson ofUser(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    List<Payment> rows = payments.ofOrg(subject.orgId(), page.limit() + 1, page.offset());
    return new UserPaymentsJson(subject.orgId(), page.rows(rows), page.nextOffset(rows));
  }

  static final Operation ALL =
      Operation.get("/admin/payments")
          .admin()
          .summary("Every account's payments, newest first")
          .description(
              """
              Who: admin.

              `{"payments":[payment],"next_offset"}` of every account, newest first; `status` \
              filters exactly, 400 naming it when unknown. Pages by `limit` (1-100, default 20) \
              and `offset` (≥ 0), 400 naming the bad one, `next_offset` null on the last page.""")
          .params(
              Param.query(
                  "status", string().enumOf("failed", "succeeded", "amount_mismatch", "refunded")),
              Param.LIMIT,
              Param.OFFSET)
          .answers(200, PAYMENTS)
          .errors(400);

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
