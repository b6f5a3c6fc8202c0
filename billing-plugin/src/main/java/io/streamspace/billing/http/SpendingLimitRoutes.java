package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.spend.SpendAction;
import io.streamspace.billing.spend.SpendEstimate;
import io.streamspace.billing.spend.SpendingLimit;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /spending-limit}: an account's cap on what a billing
 * period costs, shown with the period's estimated cost ({@link SpendingLimits}).
 */
public final class SpendingLimitRoutes {

  // the bodies and answers of these routes

  /** The period's estimate by kind of invoice line ({@link EstimateJson}). */
  static final Schema ESTIMATE =
      object()
          .req("plan_fee", number())
          .req("usage", number())
          .req("overage", number())
          .req("packs", number())
          .req("total", number())
          .req("store", number().description("store items bought, to be paid on the invoice"))
          .req(
              "discounts",
              number().description("a redeemed coupon's discount lines (negative); else 0"));

  static final Schema SPENDING_LIMIT =
      Schema.component(
          "SpendingLimit",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req("amount", number().orNull())
              .req("warn_at_percent", integer().orNull())
              .req("action", string().orNull())
              .req("set_by", string().orNull())
              .req("set_at", string().orNull().format("date-time"))
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req("estimate", ESTIMATE)
              .req("percent", number().orNull())
              .req("state", string().orNull())
              .req("reached_at", string().orNull().format("date-time"))
              .req("blocks_at", string().orNull().format("date-time"))
              .req("blocked", bool()));

  static final Schema SPENDING_LIMIT_SET =
      Schema.component(
          "SpendingLimitSet",
          object()
              .req("amount", number())
              .prop("warn_at_percent", integer().min(1).max(100))
              .req("action", string().enumOf("warn", "block"))
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string()));

  /** The warning percent of a limit set without one: as {@code alertThreshold}'s default. */
  static final int DEFAULT_WARN_AT_PERCENT = 80;

  /** The period's estimate by kind of invoice line, at the currency's scale. */
  record EstimateJson(
      BigDecimal planFee,
      BigDecimal usage,
      BigDecimal overage,
      BigDecimal packs,
      BigDecimal store,
      BigDecimal discounts,
      BigDecimal total) {

    static EstimateJson of(SpendEstimate e, Currency c) {
      return new EstimateJson(
          Money.shown(e.planFee(), c),
          Money.shown(e.usage(), c),
          Money.shown(e.overage(), c),
          Money.shown(e.packs(), c),
          Money.shown(e.store(), c),
          Money.shown(e.discounts(), c),
          Money.shown(e.total(), c));
    }
  }

  /** The answer of every route: the limit's members null when the account has none. */
  record StatusJson(
      String userId,
      String currency,
      BigDecimal amount,
      Integer warnAtPercent,
      String action,
      String setBy,
      Instant setAt,
      Instant periodStart,
      Instant periodEnd,
      EstimateJson estimate,
      BigDecimal percent,
      String state,
      Instant reachedAt,
      Instant blocksAt,
      boolean blocked) {

    static StatusJson of(SpendingLimits.Status s) {
      SpendingLimit limit = s.limit();
      return new StatusJson(
          s.orgId(),
          s.currency().getCurrencyCode(),
          limit == null ? null : Money.shown(limit.amount(), s.currency()),
          limit == null ? null : limit.warnAtPercent(),
          limit == null ? null : limit.action().jsonName(),
          limit == null ? null : limit.setBy(),
          limit == null ? null : limit.setAt(),
          s.periodStart(),
          s.periodEnd(),
          EstimateJson.of(s.estimate(), s.currency()),
          s.percent(),
          s.state() == null ? null : s.state().jsonName(),
          s.reachedAt(),
          s.blocksAt(),
          s.blocked());
    }
  }

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final SpendingLimits limits;
  private final ReadOnlyLock readOnlyLock;
  private final Clock clock;

  public SpendingLimitRoutes(
      OrgAccess access,
      AccountRepository accounts,
      SpendingLimits limits,
      ReadOnlyLock readOnlyLock,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.limits = limits;
    this.readOnlyLock = readOnlyLock;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PUT, JsonRoute.of(this::put));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DELETE, JsonRoute.of(this::delete));
  }

  static final Operation PUT =
      Operation.put("/spending-limit")
          .owner()
          .summary("Set the spending limit and check it at once")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"amount","warn_at_percent"?,"action","user_id"?}` sets the account's spending \
              limit (replacing its previous one) and checks it at once: `amount` a JSON number \
              above 0 in the account's currency with at most its decimals, `warn_at_percent` a \
              whole number 1–100 (80 when absent), `action` `warn` or `block`. 200 with the status \
              as `GET` answers it; 400 naming the field (nothing stored), `invalid_json`; 401, 403 \
              for another user's, 404 for a user without an account; 423 `account_locked` while \
              locked for non-payment (setting a limit is a write other than paying)""")
          .body(SPENDING_LIMIT_SET)
          .answers(200, SPENDING_LIMIT)
          .answers(409, Response.ORGANIZATION_CLOSED)
          .errors(400, 404, 423);

  /**
   * 200 with the limit set (replacing the account's previous one) and checked at once; 400
   * naming the field for a bad body (nothing stored); 401; 403 as {@link OrgAccess} decides;
   * 404 for an organization without a billing account; 423 while it is locked for non-payment
   * (a limit is a write other than paying, so the lock refuses it as any other).
   */
  StatusJson put(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    BigDecimal amount = Amounts.positive(body, "amount");
    int warnAtPercent = warnAtPercent(body);
    SpendAction action = action(body);
    Account account = account(orgId);
    readOnlyLock.requireNotLocked(account.orgId());
    Amounts.requireMinorUnit("amount", amount, account.currency());
    SpendingLimit limit =
        new SpendingLimit(
            account.orgId(),
            amount.stripTrailingZeros(),
            warnAtPercent,
            action,
            caller.userId(),
            clock.instant());
    return StatusJson.of(limits.set(limit, account, AuditCauses.ofCaller(request, body)));
  }

  static final Operation GET =
      Operation.get("/spending-limit")
          .orgAdmin()
          .summary("The spending limit and the period's estimate")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"user_id","currency","amount","warn_at_percent","action","set_by","set_at","period_\
              start","period_end","estimate":{"plan_fee","usage","overage","packs","store","disco\
              unts","total"},"percent","state","reached_at","blocks_at","blocked"}`: the limit \
              (its members, \
              `percent` and `state` null without one), the current period's estimate by kind of \
              invoice line (`total` the sum of the others), `state` `ok`, `warning` or \
              `reached`, `reached_at` when a check first found it reached this period, \
              `blocks_at` `reached_at + spendingBlockNoticeMinutes` for a `block` limit, \
              `blocked` whether the account is held for it. 401, 403, 404.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SPENDING_LIMIT)
          .errors(404);

  /** 200 with the limit (or nulls) and the period's estimate; 401; 403; 404. */
  StatusJson get(HttpRequest request) throws Exception {
    return StatusJson.of(
        limits.status(account(access.organization(request, MemberRole.ADMIN).id())));
  }

  static final Operation DELETE =
      Operation.delete("/spending-limit")
          .owner()
          .summary("Remove the spending limit (takes no body)")
          .description(
              """
              Who: the organization's owner; a platform admin.

              Removes the limit, lifting its hold (sessions resumed); 200 with the status (limit \
              members null), also when there was none; 401, 403, 404; 423 `account_locked` while \
              locked.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SPENDING_LIMIT)
          .answers(409, Response.ORGANIZATION_CLOSED)
          .errors(400, 404, 423);

  /**
   * 200 with the account's status after the limit is removed (its hold lifted), also when it
   * had none; 400 {@code invalid_json} for a body other than none or one JSON object; 401; 403;
   * 404; 423 while locked for non-payment.
   */
  StatusJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    Account account = account(access.organization(request, MemberRole.OWNER).id());
    readOnlyLock.requireNotLocked(account.orgId());
    limits.remove(account.orgId(), AuditCauses.ofCaller(request, null));
    return StatusJson.of(limits.status(account));
  }

  private Account account(String orgId) throws Exception {
    return accounts
        .find(orgId)
        .orElseThrow(() -> ApiException.notFound("no billing account for user " + orgId));
  }

  /** A whole JSON number from 1 to 100; {@value #DEFAULT_WARN_AT_PERCENT} when absent. */
  private static int warnAtPercent(JsonNode body) throws ApiException {
    JsonNode value = body.get("warn_at_percent");
    if (value == null) {
      return DEFAULT_WARN_AT_PERCENT;
    }
    boolean whole = value.isIntegralNumber() && value.canConvertToInt();
    if (!whole || value.asInt() < 1 || value.asInt() > 100) {
      throw ApiException.badParameter(
          "warn_at_percent", "warn_at_percent must be a whole number from 1 to 100");
    }
    return value.asInt();
  }

  private static SpendAction action(JsonNode body) throws ApiException {
    String name = Json.requiredText(body, "action");
    return SpendAction.named(name)
        .orElseThrow(
            () -> ApiException.badParameter("action", "action must be \"warn\" or \"block\""));
  }
}
