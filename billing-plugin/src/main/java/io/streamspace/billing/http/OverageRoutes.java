package io.streamspace.billing.http;

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
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code POST /overage/confirm}: the account agrees that a soft counter may go on past its
 * included amount, billed as overage, for the current billing period.
 */
public final class OverageRoutes {

  /** The JSON body of a confirmation. */
  record ConfirmationJson(
      String userId, String meter, Instant periodStart, String confirmedBy, Instant confirmedAt) {

    static ConfirmationJson of(OverageConfirmation c) {
      return new ConfirmationJson(
          c.accountId(), c.meter().configName(), c.periodStart(), c.confirmedBy(), c.confirmedAt());
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/overage/confirm", JsonRoute.of(this::confirm));
  }

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
    String userId = access.organization(request, body, MemberRole.OWNER).id();
    String meterName = Json.requiredText(body, "meter");
    Account account =
        accounts
            .find(userId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + userId));
    readOnlyLock.requireNotLocked(userId);
    BillingConfig current = config.get();
    Meter meter =
        current
            .meters()
            .named(meterName)
            .orElseThrow(() -> ApiException.badParameter("meter", "unknown meter " + meterName));
    Limit limit = current.limitsOf(account.planId()).of(meter);
    if (!QuotaRule.needsConfirmation(meter, limit)) {
      throw ApiException.badParameter(
          "meter",
          "%s is not a soft counter of plan %s: it bills no overage to confirm"
              .formatted(meterName, account.planId()));
    }
    Instant now = clock.instant();
    Instant periodStart =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone()).periodStart(now);
    OverageConfirmations.Recorded recorded =
        confirmations.confirm(
            new OverageConfirmation(userId, meter, periodStart, caller.userId(), now),
            AuditCauses.ofCaller(request, body));
    confirmed.accept(recorded.confirmation());
    ConfirmationJson json = ConfirmationJson.of(recorded.confirmation());
    return recorded.created() ? Json.created(json) : Json.ok(json);
  }
}
