package io.streamspace.billing.http;

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
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /spending-limit}: an account's cap on what a billing
 * period costs, shown with the period's estimated cost ({@link SpendingLimits}).
 */
public final class SpendingLimitRoutes {

  /** The warning percent of a limit set without one: as {@code alertThreshold}'s default. */
  static final int DEFAULT_WARN_AT_PERCENT = 80;

  /** The period's estimate by kind of invoice line, at the currency's scale. */
  record EstimateJson(
      BigDecimal planFee,
      BigDecimal usage,
      BigDecimal overage,
      BigDecimal packs,
      BigDecimal store,
      BigDecimal total) {

    static EstimateJson of(SpendEstimate e, Currency c) {
      return new EstimateJson(
          Money.shown(e.planFee(), c),
          Money.shown(e.usage(), c),
          Money.shown(e.overage(), c),
          Money.shown(e.packs(), c),
          Money.shown(e.store(), c),
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
          s.accountId(),
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.PUT, "/spending-limit", JsonRoute.of(this::put));
    routes.add(HttpMethod.GET, "/spending-limit", JsonRoute.of(this::get));
    routes.add(HttpMethod.DELETE, "/spending-limit", JsonRoute.of(this::delete));
  }

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
    readOnlyLock.requireNotLocked(account.userId());
    Amounts.requireMinorUnit("amount", amount, account.currency());
    SpendingLimit limit =
        new SpendingLimit(
            account.userId(),
            amount.stripTrailingZeros(),
            warnAtPercent,
            action,
            caller.userId(),
            clock.instant());
    return StatusJson.of(limits.set(limit, account, AuditCauses.ofCaller(request, body)));
  }

  /** 200 with the limit (or nulls) and the period's estimate; 401; 403; 404. */
  StatusJson get(HttpRequest request) throws Exception {
    return StatusJson.of(
        limits.status(account(access.organization(request, MemberRole.ADMIN).id())));
  }

  /**
   * 200 with the account's status after the limit is removed (its hold lifted), also when it
   * had none; 400 {@code invalid_json} for a body other than none or one JSON object; 401; 403;
   * 404; 423 while locked for non-payment.
   */
  StatusJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    Account account = account(access.organization(request, MemberRole.OWNER).id());
    readOnlyLock.requireNotLocked(account.userId());
    limits.remove(account.userId(), AuditCauses.ofCaller(request, null));
    return StatusJson.of(limits.status(account));
  }

  private Account account(String userId) throws Exception {
    return accounts
        .find(userId)
        .orElseThrow(() -> ApiException.notFound("no billing account for user " + userId));
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
