package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.Credit;
import io.streamspace.billing.credits.CreditGrants;
import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.credits.CreditStatement;
import io.streamspace.billing.credits.NewCredit;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.function.Supplier;

/**
 * Credits: {@code POST /admin/credits} grants one, {@code GET /credits} shows an account's balance
 * and history.
 */
public final class CreditRoutes {

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final CreditRepository credits;
  private final CreditGrants grants;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CreditRoutes(
      OrgAccess access,
      AccountRepository accounts,
      CreditRepository credits,
      CreditGrants grants,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.credits = credits;
    this.grants = grants;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/admin/credits", JsonRoute.of(this::grant));
    routes.add(HttpMethod.GET, "/credits", JsonRoute.of(this::statement));
  }

  /**
   * 201 with the credit; 400 naming the field (nothing stored) for a bad body; 404
   * {@code unknown_user} for a user without an account; 401/403 unless admin. Every check runs
   * before the one INSERT, so a refusal stores nothing.
   */
  HttpResponse grant(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String userId = Json.requiredText(body, "user_id");
    BigDecimal amount = Amounts.positive(body, "amount");
    String reason = AuditCauses.requiredReason(body);
    Instant now = clock.instant();
    Instant expiresAt = expiry(body, now);
    Account account = accounts.find(userId).orElseThrow(() -> ApiException.unknownUser(userId));
    Currency currency = account.currency();
    checkCurrency(body, currency);
    Amounts.requireMinorUnit("amount", amount, currency);
    Credit credit =
        grants.grant(
            new NewCredit(userId, amount, currency, reason, admin.userId(), now, expiresAt),
            AuditCauses.admin(request, admin, reason));
    return Json.created(credit);
  }

  /** 200 with the balance and history; 401; 403 as {@link OrgAccess} decides; 404. */
  CreditStatement statement(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    return CreditStatement.of(
        subject.orgId(), subject.currency(), credits.history(subject.orgId()), clock.instant());
  }

  /** Optional: an ISO instant or date (midnight in the billing zone), after now. */
  private Instant expiry(JsonNode body, Instant now) throws ApiException {
    JsonNode value = body.get("expires_at");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badParameter(
          "expires_at",
          "expires_at must be an ISO date (2026-03-01) or instant (2026-03-01T00:00:00Z)");
    }
    Instant expiresAt =
        TimeRange.instantOrDate(value.asText(), "expires_at", config.get().billingTimeZone());
    if (!expiresAt.isAfter(now)) {
      throw ApiException.badParameter("expires_at", "expires_at must be in the future");
    }
    return expiresAt;
  }

  /** Accounts have one currency: a credit in any other could never be applied. */
  private static void checkCurrency(JsonNode body, Currency accountCurrency) throws ApiException {
    JsonNode value = body.get("currency");
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isTextual() || !value.asText().equals(accountCurrency.getCurrencyCode())) {
      throw ApiException.badParameter(
          "currency",
          "the account is billed in "
              + accountCurrency.getCurrencyCode()
              + ": a credit must be in the account's currency");
    }
  }
}
