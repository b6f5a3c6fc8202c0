package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.prepaid.Balance;
import io.streamspace.billing.prepaid.BalanceGrants;
import io.streamspace.billing.prepaid.BalanceStatement;
import io.streamspace.billing.prepaid.LedgerEntry;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Currency;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Prepaid balances: {@code POST /admin/balance} grants money onto an organization's balance,
 * {@code GET /balance} shows the balance and its entries.
 */
public final class BalanceRoutes {

  // the bodies and answers of these routes

  static final Schema BALANCE_ENTRY =
      Schema.component(
          "BalanceEntry",
          object()
              .req("id", integer())
              .req(
                  "kind",
                  string()
                      .enumOf(
                          "top_up",
                          "grant",
                          "burn",
                          "invoice_applied",
                          "burn_returned",
                          "invoice_voided",
                          "refund",
                          "credit_note"))
              .req("amount", number().description("signed: money in positive, out negative"))
              .req("balance_after", number().description("the balance the entry left"))
              .req("reason", string())
              .req("actor_type", string().enumOf("user", "admin", "platform", "job", "stripe"))
              .req("actor_id", string().orNull())
              .req(
                  "source",
                  string()
                      .description(
                          """
                          Where the entry comes from, unique among all entries: `invoice:<id>` \
                          (paid an invoice), `invoice:<id>:void` (given back by its void), \
                          `grant:<admin>:key:<a UUID of the Idempotency-Key>` or \
                          `grant:<admin>:once:<uuid>` (an admin's grant)"""))
              .req("invoice_id", integer().orNull())
              .req("invoice_number", string().orNull())
              .req("created_at", string().format("date-time")));

  static final Schema BALANCE =
      Schema.component(
          "Balance",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req("balance", number())
              .req(
                  "reserved",
                  number()
                      .description(
                          "held of the balance for the running sessions of a prepaid plan"
                              + " (each its cost not burned yet and its next holdMinutes, until"
                              + " it ends), not available to pay or reserve from"))
              .req("available", number().description("balance less reserved"))
              .req("entries", array(BALANCE_ENTRY).description("newest first"))
              .req("next_offset", integer().orNull()));

  static final Schema BALANCE_CHANGE =
      Schema.component(
          "BalanceChange",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req("balance", number())
              .req("reserved", number())
              .req("available", number())
              .req("entry", BALANCE_ENTRY));

  static final Schema BALANCE_GRANT =
      Schema.component(
          "BalanceGrant",
          object()
              .req("org_id", string())
              .req("amount", number())
              .req("currency", string())
              .req("reason", string()));

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final PrepaidLedger ledger;
  private final BalanceGrants grants;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public BalanceRoutes(
      OrgAccess access,
      AccountRepository accounts,
      PrepaidLedger ledger,
      BalanceGrants grants,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.ledger = ledger;
    this.grants = grants;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(GRANT, JsonRoute.of(this::grant));
    routes.add(STATEMENT, JsonRoute.of(this::statement));
  }

  static final Operation GRANT =
      Operation.post("/admin/balance")
          .admin()
          .summary("Grant money onto an organization's prepaid balance")
          .description(
              """
              Who: admin.

              `{"org_id","amount","currency","reason"}` → 201 \
              `{"org_id","currency","balance","reserved","available","entry":{...}}`, the entry \
              of kind `grant` as `GET /balance` lists it, and event `billing.balance.topped_up` \
              (that JSON). 400 naming the field, nothing stored: `amount` not a JSON number \
              (strings refused), zero or negative, or with more decimals than the currency (USD \
              2, VND 0); `currency` missing or not the one the organization is billed in; \
              `reason` missing or saying nothing; `org_id` missing or not a string. 404 for an \
              organization without a billing account; 400 `invalid_json` for a body that is not \
              a JSON object. A retry with the first grant's `Idempotency-Key` answers that grant \
              again (the entry's source keeps the key, so also after the host forgets it), and \
              the same key with another organization, currency or amount is 422 \
              `idempotency_key_reused`. Writes its entry in the audit trail (`balance.grant`) in \
              the same transaction.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(BALANCE_GRANT)
          .answers(201, BALANCE_CHANGE)
          .answers(
              422, Response.refusal("idempotency_key_reused: the key was used for another grant"))
          .errors(400, 404);

  /**
   * 201 with the balance and the grant's entry; 400 naming the field (nothing stored) for a bad
   * body; 404 for an organization without an account; 422 for a key used for another grant;
   * 401/403 unless admin. Every check runs before the one post, so a refusal stores nothing.
   */
  HttpResponse grant(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String orgId = Json.requiredText(body, OrgAccess.ORG_ID);
    BigDecimal amount = Amounts.positive(body, "amount");
    String reason = AuditCauses.requiredReason(body);
    JsonNode currencyGiven = body.get("currency");
    if (currencyGiven == null || !currencyGiven.isTextual()) {
      throw ApiException.badParameter("currency", "currency is required (an ISO 4217 code)");
    }
    Account account =
        accounts
            .find(orgId)
            .orElseThrow(
                () -> ApiException.notFound("no billing account for organization " + orgId));
    Currency currency = account.currency();
    if (!currencyGiven.asText().equals(currency.getCurrencyCode())) {
      throw ApiException.badParameter(
          "currency",
          "the organization is billed in "
              + currency.getCurrencyCode()
              + ": its balance must be in that currency");
    }
    Amounts.requireMinorUnit("amount", amount, currency);
    try {
      return Json.created(
          grants.grant(
              orgId,
              currency,
              amount,
              source(request, admin),
              clock.instant(),
              AuditCauses.admin(request, admin, reason)));
    } catch (BalanceGrants.SourceReused e) {
      throw new ApiException(
          HttpStatus.UNPROCESSABLE_CONTENT, "idempotency_key_reused", e.getMessage());
    }
  }

  /**
   * The grant's unique source: from the admin's {@code Idempotency-Key} when they gave one (a
   * retry posts nothing again), else one of its own. The key itself is never stored: the source
   * is read by the organization ({@code GET /balance}) and sent out in the event, and a key is
   * the admin's, so the source holds a name-based UUID of it, the same for the same key.
   */
  private static String source(HttpRequest request, Caller admin) {
    return "grant:"
        + admin.userId()
        + request
            .header(Param.IDEMPOTENCY_KEY_HEADER)
            .map(key -> ":key:" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)))
            .orElseGet(() -> ":once:" + UUID.randomUUID());
  }

  static final Operation STATEMENT =
      Operation.get("/balance")
          .orgAdmin()
          .summary("The prepaid balance and its entries, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. A member is refused \
              (403 `admin_required`): the balance is the organization's money, as its credits \
              and invoices are.

              `{"org_id","currency","balance","reserved","available","entries":[{"id","kind","am\
              ount","balance_after","reason","actor_type","actor_id","source","invoice_id","invoi\
              ce_number","created_at"}],"next_offset"}` in the organization's currency: \
              `available` = `balance` − `reserved`, never below zero; each entry signed (money \
              in positive: `top_up`, `grant`, `invoice_voided`, `burn_returned`, `credit_note` \
              (what a credit note gave back of a paid invoice); out \
              negative: `burn` (usage as it is rated), `invoice_applied`, `refund`), with the \
              balance it left, newest first; `limit` 1–100 (default 20), `offset` ≥ 0, 400 \
              naming the one that is bad, `next_offset` null on the last page. An \
              organization that never held a balance has 0 and no entries. 404 for an unknown \
              organization (platform admin).""")
          .params(Param.ORG_ID, Param.USER_ID, Param.LIMIT, Param.OFFSET)
          .answers(200, BALANCE)
          .errors(400, 404);

  /** 200 with the balance and a page of entries; 401; 403 as {@link OrgAccess} decides; 404. */
  BalanceStatement statement(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    PrepaidLedger.Statement read =
        ledger.statement(subject.orgId(), subject.currency(), page.fetch(), page.offset());
    Balance balance = read.balance();
    List<LedgerEntry> entries = read.entries();
    return new BalanceStatement(
        subject.orgId(),
        subject.currency().getCurrencyCode(),
        balance.balance(),
        balance.reserved(),
        balance.available(),
        page.rows(entries),
        page.nextOffset(entries));
  }
}
