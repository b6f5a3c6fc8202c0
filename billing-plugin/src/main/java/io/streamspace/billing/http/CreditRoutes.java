package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

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
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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

  // the bodies and answers of these routes

  static final Schema CREDIT =
      Schema.component(
          "Credit",
          object()
              .req("id", integer())
              .req("user_id", string())
              .req("amount", number())
              .req("remaining", number())
              .req("currency", string())
              .req("reason", string())
              .req("granted_by", string())
              .req("granted_at", string().format("date-time"))
              .req("expires_at", string().orNull().format("date-time"))
              .req(
                  "kind",
                  string()
                      .enumOf("admin", "fault", "correction")
                      .description(
                          "admin: granted by an admin (a refund's credit too); fault: granted"
                              + " automatically when a platform fault ended a session;"
                              + " correction: what a usage correction's credit gave beyond"
                              + " what its invoice still held")));

  static final Schema CREDIT_GRANT =
      Schema.component(
          "CreditGrant",
          object()
              .req("user_id", string())
              .req("amount", number())
              .req("reason", string())
              .prop("currency", string())
              .prop("expires_at", string().description("an ISO instant or date")));

  static final Schema STATEMENT_CREDIT =
      Schema.component(
          "StatementCredit",
          object()
              .req("id", integer())
              .req("amount", number())
              .req("remaining", number())
              .req("reason", string())
              .req("granted_by", string())
              .req("granted_at", string().format("date-time"))
              .req("expires_at", string().orNull().format("date-time"))
              .req("expired", bool())
              .req(
                  "expired_amount",
                  number()
                      .orNull()
                      .description(
                          """
                          what was left of it when it expired, taken out of remaining by \
                          check-quotas the day after its expiry (a use a void gives back to an \
                          expired credit is added by its next run), or at once, whole, by the void \
                          of the invoice that billed a purchase this credit refunded; null until \
                          then, or when nothing was left"""))
              .req(
                  "applications",
                  array(
                      object()
                          .req("invoice_id", integer())
                          .req("invoice_number", string().orNull())
                          .req("amount", number())
                          .req("applied_at", string().format("date-time"))))
              .req(
                  "kind",
                  string()
                      .enumOf("admin", "fault", "correction")
                      .description(
                          "admin: granted by an admin (a refund's credit too); fault: granted"
                              + " automatically when a platform fault ended a session;"
                              + " correction: what a usage correction's credit gave beyond"
                              + " what its invoice still held")));

  static final Schema CREDIT_STATEMENT =
      Schema.component(
          "CreditStatement",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req("balance", number())
              .req("credits", array(STATEMENT_CREDIT)));

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

  public void register(DescribedRoutes routes) {
    routes.add(GRANT, JsonRoute.of(this::grant));
    routes.add(STATEMENT, JsonRoute.of(this::statement));
  }

  static final Operation GRANT =
      Operation.post("/admin/credits")
          .admin()
          .summary("Grant a credit")
          .description(
              """
              Who: admin.

              `{"user_id","amount","reason","currency"?,"expires_at"?}` → 201 \
              `{"id","user_id","amount","remaining","currency","reason","granted_by","granted_at","\
              expires_at","kind"}` (`kind` `admin`) and event `billing.credit.granted`. 400 naming \
              the field, nothing stored: `amount` not a JSON number (strings refused), zero or \
              negative, or with more decimals than the account's currency (USD 2, VND 0); `reason` \
              missing or blank; `currency` not the account's (an account has one currency); \
              `expires_at` not an ISO instant or date (a date is midnight in the billing zone) or \
              not in the future. 404 `unknown_user` for a user without an account; 400 \
              `invalid_json` for a body that is not a JSON object. A retry with the first grant's \
              `Idempotency-Key` answers that grant again. Writes its entry in the audit trail \
              (`GET /admin/audit`) in the same transaction; a request's `X-Request-Id` header is \
              kept with it.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(CREDIT_GRANT)
          .answers(201, CREDIT)
          .errors(400, 404);

  /**
   * 201 with the credit; 400 naming the field (nothing stored) for a bad body; 404
   * {@code unknown_user} for a user without an account; 401/403 unless admin. Every check runs
   * before the one INSERT, so a refusal stores nothing.
   */
  HttpResponse grant(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String orgId = Json.requiredText(body, "user_id");
    BigDecimal amount = Amounts.positive(body, "amount");
    String reason = AuditCauses.requiredReason(body);
    Instant now = clock.instant();
    Instant expiresAt = expiry(body, now);
    Account account = accounts.find(orgId).orElseThrow(() -> ApiException.unknownUser(orgId));
    Currency currency = account.currency();
    checkCurrency(body, currency);
    Amounts.requireMinorUnit("amount", amount, currency);
    Credit credit =
        grants.grant(
            new NewCredit(orgId, amount, currency, reason, admin.userId(), now, expiresAt),
            AuditCauses.admin(request, admin, reason));
    return Json.created(credit);
  }

  static final Operation STATEMENT =
      Operation.get("/credits")
          .orgAdmin()
          .summary("The credit statement, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"user_id","currency","balance","credits":[{"id","amount","remaining","reason","gran\
              ted_by","granted_at","expires_at","expired","applications":[{"invoice_id","invoice_nu\
              mber","amount","applied_at"}],"kind"}]}`, newest first; `balance` = Σ `remaining` \
              of credits not expired now; `kind` `admin` (an admin's grant), `fault` (granted \
              by `platform` for a session a platform fault ended: docs/billing-rules.md, Fault \
              credits) or `correction` (a usage correction's credit beyond what its invoice still \
              held: docs/correcting-usage-and-invoices.md). 403 for another user's, 404 for an \
              unknown user (admin)""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, CREDIT_STATEMENT)
          .errors(404);

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
