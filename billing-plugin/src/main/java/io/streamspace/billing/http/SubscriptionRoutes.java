package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.integer;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.plans.SubscriptionRepository.ChangeRefused;
import io.streamspace.billing.plans.SubscriptionRepository.Subscriptions;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /subscription}: the plan an account is on, with its earlier plans; {@code PUT
 * /subscription}: a change of plan, effective at once (the next invoice prorates both plans to
 * the second).
 */
public final class SubscriptionRoutes {

  /**
   * Makes what the next runs of trials and plan-migrations would make of an organization before
   * they do (plans' TrialRuns and MigrationRuns): a trial whose end has come ends, a migration
   * whose instant has come moves it, so that a plan change starts from the term they make.
   */
  @FunctionalInterface
  public interface DueChanges {
    void makeDue(String orgId) throws java.sql.SQLException;
  }

  /** The subscription's {@code status}: the values of seed 004's Subscription type. */
  enum Status {
    /** Open and not locked: the account is served and billed. */
    ACTIVE,
    /** Locked read-only for non-payment (a {@code non_payment} hold): unpaid past the grace. */
    SUSPENDED,
    /** The organization is closed (org.deleted): nothing is billed after its closing. */
    CANCELED;

    String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What seed 004's Subscription type adds to the plan: its status, the billing period holding
   * now (in the billing zone, from the invoice day), the Stripe Subscription not cancelled that
   * charges the plan (null when none), and when the organization closed (null while open).
   */
  record State(
      Status status,
      Instant periodStart,
      Instant periodEnd,
      String stripeSubscriptionId,
      Instant canceledAt) {}

  /** The JSON body of both routes: the active term, the billing mode, earlier terms. */
  record SubscriptionJson(
      String userId,
      String planId,
      Integer planVersion,
      String planName,
      BigDecimal price,
      String currency,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Instant startedAt,
      String billingMode,
      String status,
      Instant currentPeriodStart,
      Instant currentPeriodEnd,
      String stripeSubscriptionId,
      Instant canceledAt,
      ScheduledChangeJson scheduledChange,
      TrialJson trial,
      List<TermJson> history) {

    static SubscriptionJson of(
        Subscriptions s,
        BillingConfig config,
        State state,
        ScheduledChangeJson scheduled,
        TrialJson trial) {
      PlanTerm t = s.current();
      String currency = s.currency().getCurrencyCode();
      List<TermJson> history = new ArrayList<>();
      s.terms()
          .subList(0, s.terms().size() - 1)
          .forEach(e -> history.add(TermJson.of(e, currency)));
      Collections.reverse(history);
      return new SubscriptionJson(
          s.orgId(),
          t.planId(),
          t.version(),
          t.planName(),
          t.price(),
          currency,
          t.interval(),
          t.cpuLimit(),
          t.memoryLimit(),
          t.storageLimit(),
          t.from(),
          config.billingMode().configName(),
          state.status().jsonName(),
          state.periodStart(),
          state.periodEnd(),
          state.stripeSubscriptionId(),
          state.canceledAt(),
          scheduled,
          trial,
          history);
    }
  }

  /** An earlier term, newest first in {@code history}. */
  record TermJson(
      String planId,
      String planName,
      BigDecimal price,
      String currency,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Instant startedAt,
      Instant endedAt,
      Instant trialEndsAt) {

    static TermJson of(PlanTerm t, String currency) {
      return new TermJson(
          t.planId(),
          t.planName(),
          t.price(),
          currency,
          t.interval(),
          t.cpuLimit(),
          t.memoryLimit(),
          t.storageLimit(),
          t.from(),
          t.to(),
          t.trialEnd());
    }
  }

  private final OrgAccess access;
  private final SubscriptionRepository subscriptions;
  private final PlanChanges changes;
  private final StripeSubscriptions stripeSubscriptions;
  private final ReadOnlyLock readOnlyLock;
  private final ScheduledChangeJson.Source scheduledChanges;
  private final TrialJson.Source trials;
  private final DueChanges dueChanges;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public SubscriptionRoutes(
      OrgAccess access,
      SubscriptionRepository subscriptions,
      PlanChanges changes,
      StripeSubscriptions stripeSubscriptions,
      ReadOnlyLock readOnlyLock,
      ScheduledChangeJson.Source scheduledChanges,
      TrialJson.Source trials,
      DueChanges dueChanges,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.subscriptions = subscriptions;
    this.changes = changes;
    this.stripeSubscriptions = stripeSubscriptions;
    this.readOnlyLock = readOnlyLock;
    this.scheduledChanges = scheduledChanges;
    this.trials = trials;
    this.dueChanges = dueChanges;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(CHANGE, JsonRoute.of(this::change));
  }

  static final Operation GET =
      Operation.get("/subscription")
          .orgAdmin()
          .summary("The active plan and earlier terms")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              The active plan: \
              `{"user_id","plan_id","plan_version","plan_name","price","currency","interval","cpu_\
              limit","memory_limit","storage_limit","started_at","billing_mode","status","current_\
              period_start","current_period_end","stripe_subscription_id","canceled_at","schedule\
              d_change","trial","history":[earlier terms, newest first, each with "ended_at" and \
              "trial_ends_at" (a trial term's end, null for a paid one)]}`; \
              `plan_version` the version of the plan the active term is on; `scheduled_change` \
              the plan migration the organization was told of \
              (`billing.plan.migration_scheduled`) while it has not taken effect: \
              `{"migration_id","plan_id","plan_name","from_version","to_version","effective_at",\
              "price","currency","interval"}`, the new fee in the account's currency; null when \
              none. `trial` the trial of its plan the active term is (its `price` 0 until then): \
              `{"plan_id","plan_name","started_at","ends_at","price","currency","interval",\
              "will_convert","fallback_plan_id","fallback_plan_name"}`, `price` the fee per \
              `interval` from `ends_at` if it converts, `will_convert` whether it does as things \
              stand (a payment method on file, or a Stripe Subscription charging the plan), else \
              it falls back to the default plan (`fallback_plan_id`); null when none. As the \
              StreamSpace plugin's \
              Subscription: `status` is `canceled` once the organization is closed (org.deleted; \
              `canceled_at` its closing, null before), else `suspended` while the account is \
              locked read-only for non-payment (an invoice unpaid past the grace: the \
              `non_payment` hold), else `active` (an overdue invoice still inside the grace, or an \
              over-limit suspension of sessions, leaves it `active`); `current_period_start` and \
              `current_period_end` the billing period holding now, [midnight of the invoice day \
              in the billing zone, the next); `stripe_subscription_id` the Stripe Subscription \
              not cancelled that charges the plan (`stripeCollection` `stripe_invoices`), null \
              when none. 401, 403 for \
              another user's, 404 for a user without an account.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SubscriptionRoutesSchemas.SUBSCRIPTION)
          .errors(404);

  /**
   * 200 with the subscription; 401 without a caller; 403 as {@link OrgAccess} decides
   * ({@code ?org_id=}); 404 when the user has no account (there is no plan to show).
   */
  SubscriptionJson get(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.ADMIN).id();
    return answer(orgId);
  }

  /** The subscription as both routes answer it, with the coming change it was told of. */
  private SubscriptionJson answer(String orgId) throws Exception {
    BillingConfig current = config.get();
    Subscriptions subscription = find(orgId);
    ScheduledChangeJson scheduled =
        scheduledChanges.of(orgId, subscription.currency()).orElse(null);
    TrialJson trial = trials.of(orgId).orElse(null);
    return SubscriptionJson.of(subscription, current, state(orgId, current), scheduled, trial);
  }

  /**
   * The subscription's state now: {@code canceled} once the organization is closed, else
   * {@code suspended} while it is locked read-only for non-payment, else {@code active}; the
   * period holding the clock's now.
   */
  State state(String orgId, BillingConfig current) throws Exception {
    Instant now = clock.instant();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Optional<Instant> closedAt = readOnlyLock.closedAt(orgId);
    Status status =
        closedAt.isPresent()
            ? Status.CANCELED
            : readOnlyLock.lockedBecause(orgId).isPresent() ? Status.SUSPENDED : Status.ACTIVE;
    return new State(
        status,
        periods.periodStart(now),
        periods.periodEnd(now),
        stripeSubscriptions.liveOf(orgId).orElse(null),
        closedAt.orElse(null));
  }

  static final Operation CHANGE =
      Operation.put("/subscription")
          .owner()
          .summary("Change plan now")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"plan_id","reason"?}` changes plan now (`reason` required of the platform admin, \
              400 naming it otherwise): the active term ends and the new one starts at the same \
              instant, with the plan's terms in the account's currency, in one transaction; \
              publishes `billing.subscription.changed` \
              `{"user_id","previous_plan_id","plan_id","price","currency","changed_at",\
              "trial_ends_at"}`. A plan with `trial_days` the organization never had a trial of \
              begins its trial: the term is free (`price` 0) until `trial_ends_at`, then it \
              converts or falls back to the default plan; a second start of the plan pays from \
              the start (`trial_ends_at` null). 200 with \
              the subscription; 400 naming `plan_id` when missing, unknown or the current plan; \
              400 `invalid_json` for a body that is not a JSON object; 404 for a user without an \
              account; 409 when a concurrent change of the same account got there first; 423 \
              `account_locked` while the account is locked read-only for non-payment, for an admin \
              too (unlock first); 429 `too_many_plan_changes` with `Retry-After` (seconds) once \
              the organization's plan was changed 10 times in the last hour (any way: one paid \
              through Stripe's checkout counts, and is never refused), nothing changed: counted \
              from the stored subscription history in the change's transaction, so the limit holds \
              across nodes. Writes its entry in the audit trail (`GET /admin/audit`) in the same \
              transaction; a request's `X-Request-Id` header is kept with it.""")
          .body(SubscriptionRoutesSchemas.PLAN_CHANGE)
          .answers(200, SubscriptionRoutesSchemas.SUBSCRIPTION)
          .answers(
              409,
              Response.CONFLICT.described(
                  """
                  a conflict; the code says which, among them organization_closed once the \
                  organization is closed (org.deleted), and subscription_exists while a Stripe \
                  Subscription charges the plan (stripeCollection stripe_invoices: change it in \
                  the Customer Portal)"""))
          .answers(
              429,
              Response.of(
                      """
                      too_many_plan_changes: the organization's plan was changed 10 times in the \
                      last hour (a change paid through Stripe's checkout counts too), as many as \
                      an hour takes; nothing changed. Retry-After: the seconds until the oldest of \
                      those changes leaves the hour""")
                  .json(Schemas.ERROR)
                  .header("Retry-After", integer()))
          .errors(400, 404, 423);

  /**
   * {@code {"plan_id", "org_id"?, "reason"?}}: 200 with the new subscription; 400 naming {@code
   * plan_id} when it is missing, unknown or the current plan, {@code user_id} when not a string,
   * or {@code reason} when the platform admin changes it without one;
   * 401/403 as {@link #get}; 404 for a user without an account; 409 when a concurrent change got
   * there first, or the account's currency is no longer configured; 423 {@code account_locked}
   * while the account is locked read-only for non-payment (for an admin too: unlock it first);
   * 429 {@code too_many_plan_changes} past {@value SubscriptionRepository#MAX_CHANGES_PER_HOUR}
   * changes in an hour, nothing changed.
   */
  Object change(HttpRequest request) throws Exception {
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    readOnlyLock.requireNotLocked(orgId);
    Optional<String> stripeSubscription = stripeSubscriptions.liveOf(orgId);
    if (stripeSubscription.isPresent()) {
      // its plan fee is Stripe's to charge: a change here would leave Stripe charging the old one
      throw ApiException.conflict(
          "subscription_exists",
          "the organization pays its plan through Stripe subscription "
              + stripeSubscription.get()
              + ": change the plan in the Customer Portal (POST /portal)",
          Map.of());
    }
    JsonNode planField = body.get("plan_id");
    if (planField == null || !planField.isTextual()) {
      throw ApiException.badParameter("plan_id", "plan_id is required");
    }
    BillingConfig current = config.get();
    SubscriptionPlan plan =
        current
            .plan(planField.textValue())
            .orElseThrow(
                () ->
                    ApiException.badParameter(
                        "plan_id", "no plan \"" + planField.textValue() + "\""));
    Currency currency = find(orgId).currency();
    BigDecimal price =
        current
            .priceOf(plan, currency)
            .orElseThrow(
                () ->
                    ApiException.conflict(
                        "the account's currency " + currency + " is no longer configured"));
    Instant now = clock.instant();
    Cause cause = cause(request, body);
    // a change in the minute after a trial's end or a migration's instant starts from them
    dueChanges.makeDue(orgId);
    try {
      changes.change(orgId, PlanChanges.termOf(plan, price, now), currency, now, cause);
    } catch (ChangeRefused e) {
      return switch (e.refusal()) {
        case NO_ACCOUNT -> throw ApiException.notFound(e.getMessage());
        case SAME_PLAN -> throw ApiException.badParameter("plan_id", e.getMessage());
        case CONCURRENT_CHANGE, NOT_STARTED -> throw ApiException.conflict(e.getMessage());
        case TOO_MANY_CHANGES -> tooManyChanges(e);
      };
    }
    return answer(orgId);
  }

  /**
   * 429 {@code too_many_plan_changes}, with {@code Retry-After}: the whole seconds until the
   * oldest change of the last hour leaves it (at least 1).
   */
  private static HttpResponse tooManyChanges(ChangeRefused e) {
    Duration wait = e.retryAfter().orElse(Duration.ZERO);
    long seconds = Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
    HttpResponse error =
        HttpResponse.error(
            HttpStatus.TOO_MANY_REQUESTS, "too_many_plan_changes", e.getMessage(), null);
    return HttpResponse.of(
        error.status(),
        error.contentType(),
        error.body(),
        Map.of("Retry-After", Long.toString(seconds)));
  }

  /**
   * The change's cause in the audit trail: the platform admin's (who must give a {@code
   * reason}, checked once the change is known to be valid), else the Owner's.
   */
  private static Cause cause(HttpRequest request, JsonNode body) throws ApiException {
    Caller caller = request.caller();
    return caller.isAdmin()
        ? AuditCauses.admin(request, caller, AuditCauses.requiredReason(body))
        : AuditCauses.user(request, caller);
  }

  private Subscriptions find(String orgId) throws Exception {
    return subscriptions
        .find(orgId)
        .orElseThrow(() -> ApiException.notFound("no billing account for user " + orgId));
  }
}
