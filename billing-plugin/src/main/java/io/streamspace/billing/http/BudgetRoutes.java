package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.forecast.Budget;
import io.streamspace.billing.forecast.Budgets;
import io.streamspace.billing.money.Money;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /budgets}: what an organization, or one of its
 * members, means to spend in a billing period ({@link Budget}), watched by the forecast. The
 * Owner sets the organization's own budget, an Admin or the Owner a member's; any member reads
 * the organization's budgets if an Admin or the Owner, else only their own. The organization is
 * named by {@code org_id} (a body member on PUT, a query parameter on GET and DELETE), the member
 * by {@code member_id}.
 */
public final class BudgetRoutes {

  // the bodies and answers of these routes

  static final Schema BUDGET_SET =
      Schema.component(
          "BudgetSet",
          object()
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string())
              .prop(
                  "member_id",
                  string()
                      .description(
                          """
                          the member whose own usage it watches, a current member; absent: the \
                          organization's total (its owner's to set)"""))
              .req("amount", number().description("above 0, in the organization's currency"))
              .req("period", string().enumOf(Budget.MONTH))
              .prop(
                  "reason",
                  string().description("a platform admin's reason, kept in the audit trail")));

  static final Schema BUDGET =
      Schema.component(
          "Budget",
          object()
              .req("org_id", string())
              .req("member_id", string().orNull())
              .req("currency", string())
              .req("amount", number())
              .req("period", string().enumOf(Budget.MONTH))
              .req(
                  "set_by",
                  string().description("who set this amount (a retry of the same keeps the first)"))
              .req("set_at", string().format("date-time")));

  static final Schema BUDGETS =
      Schema.component(
          "Budgets",
          object()
              .req("org_id", string())
              .req(
                  "budgets",
                  array(BUDGET)
                      .description("the organization's own first, then its members' by id")));

  static final Schema BUDGET_REMOVED =
      Schema.component(
          "BudgetRemoved",
          object()
              .req("org_id", string())
              .req("member_id", string().orNull())
              .req("removed", bool()));

  /** A budget as answered. */
  record BudgetJson(
      String orgId,
      String memberId,
      String currency,
      BigDecimal amount,
      String period,
      String setBy,
      Instant setAt) {

    static BudgetJson of(Budget budget, Account account) {
      return new BudgetJson(
          budget.orgId(),
          budget.memberId(),
          account.currency().getCurrencyCode(),
          Money.rounded(budget.amount(), account.currency()),
          budget.period(),
          budget.setBy(),
          budget.setAt());
    }
  }

  record BudgetsJson(String orgId, List<BudgetJson> budgets) {}

  record RemovedJson(String orgId, String memberId, boolean removed) {}

  private static final String MEMBER_ID = "member_id";
  private static final String PERIOD = "period";

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Memberships memberships;
  private final Budgets budgets;
  private final ReadOnlyLock readOnlyLock;
  private final Clock clock;

  public BudgetRoutes(
      OrgAccess access,
      AccountRepository accounts,
      Memberships memberships,
      Budgets budgets,
      ReadOnlyLock readOnlyLock,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.memberships = memberships;
    this.budgets = budgets;
    this.readOnlyLock = readOnlyLock;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PUT, JsonRoute.of(this::put));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DELETE, JsonRoute.of(this::delete));
  }

  static final Operation PUT =
      Operation.put("/budgets")
          .orgAdmin()
          .summary("Set the organization's budget, or a member's")
          .description(
              """
              Who: a member's budget, the organization's owner or an admin; the organization's \
              own (no `member_id`), its owner (an admin: 403 `owner_required`); a platform admin \
              either.

              `{"org_id","member_id"?,"amount","period":"month","reason"?}` replaces the \
              subject's budget: `amount` a JSON number above 0 in the organization's currency \
              with at most its decimals, `period` `month` (the billing period, the only one for \
              now), `member_id` a current member. The same amount and period again change \
              nothing (its `set_by` and `set_at` stay the first's, no second audit entry), so a \
              retry acts once. check-budgets then tells when the forecast's p50 path crosses it \
              before the period ends (`billing.budget.forecast_exceeded`, once per budget and \
              period). A budget holds nothing back. 200 with the budget; 400 naming the field \
              (`amount`, `period`, `member_id`, `org_id`), nothing stored; 401, 403, 404 for an \
              organization without a billing account; 423 `account_locked` while locked for \
              non-payment.""")
          .body(BUDGET_SET)
          .answers(200, BUDGET)
          .answers(403, Response.BUDGET_REFUSED)
          .answers(409, Response.ORGANIZATION_CLOSED)
          .errors(400, 404, 423);

  /**
   * 200 with the budget set, replacing its subject's (the same one again changes nothing); 400
   * naming the field, nothing stored; 401; 403 as {@link OrgAccess} decides (an Admin or the
   * Owner), and {@code owner_required} for an Admin setting the organization's own; 404 without
   * a billing account; 409 once closed; 423 while locked for non-payment.
   */
  BudgetJson put(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String memberId = memberId(body);
    MemberRole needs = memberId == null ? MemberRole.OWNER : MemberRole.ADMIN;
    String orgId = access.organization(request, body, needs).id();
    Account account = account(orgId);
    readOnlyLock.requireNotLocked(orgId);
    if (memberId != null && memberships.roleOf(orgId, memberId).isEmpty()) {
      throw ApiException.badParameter(
          MEMBER_ID, memberId + " is not a member of organization " + orgId);
    }
    BigDecimal amount = Amounts.positive(body, "amount");
    Amounts.requireMinorUnit("amount", amount, account.currency());
    String period = Json.requiredText(body, PERIOD);
    if (!Budget.MONTH.equals(period)) {
      throw ApiException.badParameter(
          PERIOD, "period must be \"month\" (the billing period, the only one for now)");
    }
    Budget budget =
        budgets.set(
            new Budget(
                orgId,
                memberId,
                amount.stripTrailingZeros(),
                period,
                caller.userId(),
                clock.instant()),
            AuditCauses.ofCaller(request, body));
    return BudgetJson.of(budget, account);
  }

  static final Operation GET =
      Operation.get("/budgets")
          .orgMember()
          .summary("The organization's budgets (a member: their own)")
          .description(
              """
              Who: any member of the organization; a platform admin. The owner, an admin or the \
              platform admin reads every budget of the organization, its own first; a member \
              reads only their own (an empty list without one).""")
          .params(Param.ORG_ID)
          .answers(200, BUDGETS)
          .errors(404);

  /**
   * 200 with the organization's budgets: all of them for an Admin, the Owner or the platform
   * admin, the caller's own for a Member; 401; 403 {@code not_a_member}; 404 without a billing
   * account.
   */
  BudgetsJson get(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    SubjectOrg org =
        access.organizationNamed(
            request, QueryParams.of(request, OrgAccess.ORG_ID).orElse(null), MemberRole.MEMBER);
    Account account = account(org.id());
    boolean readsAll = org.role() == null || org.role().includes(MemberRole.ADMIN);
    return new BudgetsJson(
        org.id(),
        budgets.of(org.id()).stream()
            .filter(b -> readsAll || caller.userId().equals(b.memberId()))
            .map(b -> BudgetJson.of(b, account))
            .toList());
  }

  static final Operation DELETE =
      Operation.delete("/budgets")
          .orgAdmin()
          .summary("Remove the organization's budget, or a member's (takes no body)")
          .description(
              """
              Who: as `PUT`: a member's budget (`member_id`), the owner or an admin; the \
              organization's own, its owner; a platform admin either. Idempotent: `removed` says \
              whether there was one. 401, 403, 404; 423 `account_locked` while locked.""")
          .params(
              Param.ORG_ID,
              Param.query(MEMBER_ID, string()).description("the member whose budget is removed"))
          .answers(200, BUDGET_REMOVED)
          .answers(403, Response.BUDGET_REFUSED)
          .answers(409, Response.ORGANIZATION_CLOSED)
          .errors(400, 404, 423);

  /**
   * 200 saying whether the subject had a budget (also when it had none); 400 {@code
   * invalid_json} for a body other than none or one JSON object; 401; 403 as for {@code PUT}; 404;
   * 423 while locked for non-payment.
   */
  RemovedJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    String memberId = QueryParams.of(request, MEMBER_ID).filter(id -> !id.isBlank()).orElse(null);
    MemberRole needs = memberId == null ? MemberRole.OWNER : MemberRole.ADMIN;
    String orgId =
        access
            .organizationNamed(
                request, QueryParams.of(request, OrgAccess.ORG_ID).orElse(null), needs)
            .id();
    account(orgId);
    readOnlyLock.requireNotLocked(orgId);
    boolean removed =
        budgets.remove(orgId, memberId, clock.instant(), AuditCauses.ofCaller(request, null));
    return new RemovedJson(orgId, memberId, removed);
  }

  private Account account(String orgId) throws Exception {
    return accounts
        .find(orgId)
        .orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
  }

  /** The body's {@code member_id}: absent or null for the organization's own; else a string. */
  private static String memberId(JsonNode body) throws ApiException {
    JsonNode value = body.get(MEMBER_ID);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw ApiException.badParameter(MEMBER_ID, "member_id must be a member's id (a string)");
    }
    return value.asText();
  }
}
