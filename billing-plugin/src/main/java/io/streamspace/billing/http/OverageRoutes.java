package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.quota.OverageConfirmation;
import io.streamspace.billing.quota.OverageConfirmations;
import io.streamspace.billing.quota.QuotaRule;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code POST /overage/confirm}: the account agrees that a soft counter may go on past its
 * included amount, billed as overage, for the current billing period.
 */
public final class OverageRoutes {

  // the bodies and answers of these routes

  static final Schema OVERAGE_CONFIRM =
      Schema.component(
          "OverageConfirm",
          object().req("meter", string()).prop("org_id", Schemas.ORG_ID).prop("user_id", string()));

  static final Schema OVERAGE_CONFIRMATION =
      Schema.component(
          "OverageConfirmation",
          object()
              .req("user_id", string())
              .req("meter", string())
              .req("period_start", string().format("date-time"))
              .req("confirmed_by", string())
              .req("confirmed_at", string().format("date-time")));

  /** The JSON body of a confirmation. */
  record ConfirmationJson(
      String userId, String meter, Instant periodStart, String confirmedBy, Instant confirmedAt) {

    static ConfirmationJson of(OverageConfirmation c) {
      return new ConfirmationJson(
          c.orgId(), c.meter().configName(), c.periodStart(), c.confirmedBy(), c.confirmedAt());
    }
  }

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final OverageConfirmations confirmations;
  private final Consumer<OverageConfirmation> confirmed;
  private final ReadOnlyLock readOnlyLock;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  /** @param confirmed told of each confirmation stored (admission, which acts on it at once) */
  public OverageRoutes(
      OrgAccess access,
      AccountRepository accounts,
      OverageConfirmations confirmations,
      Consumer<OverageConfirmation> confirmed,
      ReadOnlyLock readOnlyLock,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.confirmations = confirmations;
    this.confirmed = confirmed;
    this.readOnlyLock = readOnlyLock;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(CONFIRM, JsonRoute.of(this::confirm));
  }

  static final Operation CONFIRM =
      Operation.post("/overage/confirm")
          .owner()
          .summary("Confirm the overage of a soft counter this period")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"meter","user_id"?}` confirms the overage of a soft counter for the current \
              billing period (its start in `billingTimeZone`): 201 \
              `{"user_id","meter","period_start","confirmed_by","confirmed_at"}`, or 200 with the \
              period's first confirmation, kept as it was, when confirmed already. New sessions \
              are allowed at once on the node that stored it, within 5 s on the others (see \
              admission in the billing rules). 400 naming `meter` for an unknown meter or one that \
              is not a soft counter of the account's plan (nothing to confirm), naming `user_id` \
              when not a string; 401, 403 for another user's, 404 for a user without an account; \
              423 `account_locked` while the account is locked for non-payment.""")
          .body(OVERAGE_CONFIRM)
          .answers(
              200,
              Response.of("confirmed already: the period's first confirmation")
                  .json(OVERAGE_CONFIRMATION))
          .answers(201, OVERAGE_CONFIRMATION)
          .answers(409, Response.ORGANIZATION_CLOSED)
          .errors(400, 404, 423);

  /**
   * 201 with the confirmation made, or 200 with the one already made this period (kept as it
   * was); 400 naming {@code meter} for an unknown meter or one that is not a soft counter of the
   * account's plan, naming {@code org_id} or {@code user_id} when it is not a string; 401
   * without a caller; 403 as {@link OrgAccess} decides; 404 for an organization without a
   * billing account; 423 while the account is locked for non-payment.
   */
  HttpResponse confirm(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    String meterName = Json.requiredText(body, "meter");
    Account account =
        accounts
            .find(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + orgId));
    readOnlyLock.requireNotLocked(orgId);
    BillingConfig current = config.get();
    Meter meter =
        current
            .meters()
            .named(meterName)
            .orElseThrow(() -> ApiException.badParameter("meter", "unknown meter " + meterName));
    // the limit of the version it is on, which admission asks it to confirm the overage of
    Limit limit = accounts.limitsOf(account, current).of(meter);
    if (!QuotaRule.needsConfirmation(meter, limit)) {
      throw ApiException.badParameter(
          "meter",
          "%s is not a soft counter of the %s plan: it bills no overage to confirm"
              .formatted(meterName, current.planName(account.planId())));
    }
    Instant now = clock.instant();
    Instant periodStart =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone()).periodStart(now);
    OverageConfirmations.Recorded recorded =
        confirmations.confirm(
            new OverageConfirmation(orgId, meter, periodStart, caller.userId(), now),
            AuditCauses.ofCaller(request, body));
    confirmed.accept(recorded.confirmation());
    ConfirmationJson json = ConfirmationJson.of(recorded.confirmation());
    return recorded.created() ? Json.created(json) : Json.ok(json);
  }
}
