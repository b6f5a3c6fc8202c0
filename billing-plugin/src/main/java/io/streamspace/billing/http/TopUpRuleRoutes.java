package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.TopUpLimits;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.prepaid.TopUpRule;
import io.streamspace.billing.prepaid.TopUpRules;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /top-up-rule}: an organization's auto top-up rule,
 * set by its Owner, whose setting is their consent to the charges it makes ({@link TopUpRules}).
 */
public final class TopUpRuleRoutes {

  static final Schema TOP_UP_RULE =
      Schema.component(
          "TopUpRule",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req("threshold", number().orNull())
              .req("target", number().orNull().description("null for a rule of a fixed amount"))
              .req("amount", number().orNull().description("null for a rule of a target"))
              .req("max_per_month", number().orNull())
              .req("consented_by", string().orNull().description("the Owner who set the rule"))
              .req("consented_at", string().orNull().format("date-time"))
              .req("terms", string().orNull().description("what the Owner consented to"))
              .req(
                  "charged_this_month",
                  number()
                      .description(
                          "auto top-ups succeeded, processing or under way this calendar month"))
              .req(
                  "below_threshold_since",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("when the balance fell below the threshold, if it is"))
              .req(
                  "halted",
                  string()
                      .orNull()
                      .description(
                          "why this crossing is charged no more for now: no_payment_method,"
                              + " declined or monthly_cap")));

  static final Schema TOP_UP_RULE_SET =
      Schema.component(
          "TopUpRuleSet",
          object()
              .description("exactly one of target and amount")
              .req("threshold", number())
              .prop("target", number())
              .prop("amount", number())
              .req("max_per_month", number())
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string()));

  /** The answer of every route: the rule's members null when the organization has none. */
  record RuleJson(
      String orgId,
      String currency,
      BigDecimal threshold,
      BigDecimal target,
      BigDecimal amount,
      BigDecimal maxPerMonth,
      String consentedBy,
      Instant consentedAt,
      String terms,
      BigDecimal chargedThisMonth,
      Instant belowThresholdSince,
      String halted) {

    static RuleJson of(String orgId, Currency currency, TopUpRules.Status status) {
      TopUpRule rule = status.rule().orElse(null);
      return new RuleJson(
          orgId,
          currency.getCurrencyCode(),
          rule == null ? null : rule.threshold(),
          rule == null ? null : rule.target(),
          rule == null ? null : rule.amount(),
          rule == null ? null : rule.maxPerMonth(),
          rule == null ? null : rule.consentedBy(),
          rule == null ? null : rule.consentedAt(),
          rule == null ? null : rule.terms(),
          status.chargedThisMonth(),
          status.belowThresholdSince(),
          status.halted());
    }
  }

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final TopUpRules rules;
  private final ReadOnlyLock readOnlyLock;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public TopUpRuleRoutes(
      OrgAccess access,
      AccountRepository accounts,
      TopUpRules rules,
      ReadOnlyLock readOnlyLock,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.rules = rules;
    this.readOnlyLock = readOnlyLock;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PUT, JsonRoute.of(this::put));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DELETE, JsonRoute.of(this::delete));
  }

  static final Operation PUT =
      Operation.put("/top-up-rule")
          .owner()
          .summary("Set the auto top-up rule, consenting to its off-session charges")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"threshold","target"|"amount","max_per_month","org_id"?}` sets the \
              organization's auto top-up rule (replacing its previous one): whenever its prepaid \
              balance available falls below `threshold`, its saved payment method is charged \
              off-session for what brings the balance to `target`, or for `amount`, never more \
              than `max_per_month` in a calendar month (billing time zone), counting the charges \
              succeeded and under way. Setting it is the Owner's consent, kept with it and in \
              the audit trail (`top_up_rule.set`): who, when and `terms`, the rule in words. The \
              balance is checked at once: below the threshold, a charge is queued. 200 with the \
              rule as `GET` answers it. 400 naming the field, nothing stored: a JSON number \
              above 0 with at most the currency's decimals for each; not exactly one of `target` \
              and `amount` (`target`); `target` not above `threshold` by at least a top-up's \
              least, or above its most; `amount` outside config `topUpLimits`; `max_per_month` \
              below one charge (`amount`, or `target` − `threshold`). 401, 403, 404; 409 \
              `stripe_disabled` while `stripeEnabled` is false, `organization_closed` once \
              closed; 423 `account_locked` while locked for non-payment.""")
          .body(TOP_UP_RULE_SET)
          .answers(200, TOP_UP_RULE)
          .answers(409, Response.CONFLICT)
          .errors(400, 404, 423);

  /**
   * 200 with the rule set and the balance checked; 400 naming the field for a bad body (nothing
   * stored); 401; 403 as {@link OrgAccess} decides; 404; 409 while Stripe is off (nothing could
   * charge it) or the organization closed; 423 while locked for non-payment.
   */
  RuleJson put(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    Account account = account(orgId);
    BillingConfig current = config.get();
    if (!current.stripeEnabled()) {
      throw ApiException.conflict(
          "stripe_disabled",
          "payments through Stripe are not enabled: nothing could charge an auto top-up",
          Map.of());
    }
    readOnlyLock.requireNotLocked(orgId);
    Currency currency = account.currency();
    TopUpLimits.Limit limit = current.topUpLimit(currency);
    BigDecimal threshold = amount(body, "threshold", currency);
    if (body.has("target") == body.has("amount")) {
      throw ApiException.badParameter(
          "target", "give exactly one of target (a balance to reach) and amount (to add)");
    }
    BigDecimal target = body.has("target") ? amount(body, "target", currency) : null;
    BigDecimal fixed = body.has("amount") ? amount(body, "amount", currency) : null;
    BigDecimal least;
    if (target != null) {
      least = target.subtract(threshold);
      if (least.compareTo(limit.min()) < 0) {
        throw ApiException.badParameter(
            "target",
            "target must be at least %s above threshold: a top-up is at least %s"
                .formatted(
                    MoneyText.of(limit.min(), currency), MoneyText.of(limit.min(), currency)));
      }
      if (target.compareTo(limit.max()) > 0) {
        throw ApiException.badParameter(
            "target",
            "target must be at most %s, the most one top-up may be"
                .formatted(MoneyText.of(limit.max(), currency)));
      }
    } else {
      TopUpInputs.within("amount", fixed, currency, limit);
      least = fixed;
    }
    BigDecimal maxPerMonth = amount(body, "max_per_month", currency);
    if (maxPerMonth.compareTo(least) < 0) {
      throw ApiException.badParameter(
          "max_per_month",
          "max_per_month must be at least %s, one charge of the rule"
              .formatted(MoneyText.of(least, currency)));
    }
    String terms =
        TopUpRule.terms(
            orgId, currency, threshold, target, fixed, maxPerMonth, current.billingTimeZone());
    rules.put(
        new TopUpRule(
            orgId,
            currency,
            threshold,
            target,
            fixed,
            maxPerMonth,
            caller.userId(),
            clock.instant(),
            terms),
        AuditCauses.ofCaller(request, body));
    return status(orgId, currency);
  }

  static final Operation GET =
      Operation.get("/top-up-rule")
          .orgAdmin()
          .summary("The auto top-up rule and what it charged this month")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","currency","threshold","target","amount","max_per_month","consented_by",\
              "consented_at","terms","charged_this_month","below_threshold_since","halted"}`: \
              the rule (its members null without one: `target` or `amount` null as the rule \
              says), what auto top-ups charged this calendar month (succeeded, processing or \
              under way), since when the balance is below the threshold (null when it is not), \
              and why that crossing is charged no more for now: `no_payment_method` (until a \
              payment method is saved), `declined` (its retries spent, until a new card), \
              `monthly_cap` (until next month); null otherwise. 401, 403, 404.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, TOP_UP_RULE)
          .errors(404);

  /** 200 with the rule (or nulls); 401; 403; 404. */
  RuleJson get(HttpRequest request) throws Exception {
    Account account = account(access.organization(request, MemberRole.ADMIN).id());
    return status(account.orgId(), account.currency());
  }

  static final Operation DELETE =
      Operation.delete("/top-up-rule")
          .owner()
          .summary("Remove the auto top-up rule (takes no body)")
          .description(
              """
              Who: the organization's owner; a platform admin.

              Removes the rule (`top_up_rule.removed` in the audit trail): nothing more is \
              charged, a retry waiting for its day is cancelled (one whose call may have \
              reached Stripe is still settled under its key). 200 with the rule's members null, \
              also when there was none; 401, 403, 404.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, TOP_UP_RULE)
          .errors(400, 404);

  /** 200 with nulls once the rule is removed, also when there was none; 401; 403; 404. */
  RuleJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    Account account = account(access.organization(request, MemberRole.OWNER).id());
    rules.remove(account.orgId(), clock.instant(), AuditCauses.ofCaller(request, null));
    return status(account.orgId(), account.currency());
  }

  private RuleJson status(String orgId, Currency currency) throws Exception {
    LocalDate month =
        YearMonth.from(clock.instant().atZone(config.get().billingTimeZone())).atDay(1);
    return RuleJson.of(orgId, currency, rules.status(orgId, currency, month));
  }

  private Account account(String orgId) throws Exception {
    return accounts
        .find(orgId)
        .orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
  }

  /** A positive JSON number with no more decimals than the currency; 400 naming it otherwise. */
  private static BigDecimal amount(JsonNode body, String member, Currency currency)
      throws ApiException {
    BigDecimal amount = Amounts.positive(body, member);
    Amounts.requireMinorUnit(member, amount, currency);
    return amount;
  }
}
