package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /plans}: the plans an account can be on, priced in its currency, with every meter's
 * limit and a line of text per limit, and the plan it is on: the pricing matrix of the pages.
 */
public final class PlanRoutes {

  // the bodies and answers of these routes

  static final Schema PLAN_LIMIT =
      Schema.component(
          "PlanLimit",
          object()
              .req("meter", string())
              .req("name", string().description("the meter's name for people, as /quota's"))
              .req("unit", string())
              .req(
                  "limit",
                  number()
                      .orNull()
                      .description(
                          """
                          The most allowed, in the meter's unit; for members, the seats the plan \
                          includes (soft: each further seat billed per billing period, prorated to \
                          the second; hard: the platform should add no member past it). Null: \
                          unlimited"""))
              .req("kind", string().orNull()));

  static final Schema PLANS =
      Schema.component(
          "Plans",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req("billing_mode", string())
              .req("stripe_enabled", bool())
              .req("locked", string().orNull())
              .req("current_plan_id", string().orNull())
              .req(
                  "plans",
                  array(
                      object()
                          .req("id", string())
                          .req(
                              "name",
                              string()
                                  .description(
                                      """
                                      The plan's display name. The default plans are Hobby (id \
                                      free: free, 5 members hard), Pro (id pro: 5 members \
                                      included, each further seat billed) and Enterprise (id \
                                      enterprise: 25 members included); fully configurable \
                                      (subscriptionPlans)"""))
                          .req("price", number())
                          .req("interval", string())
                          .req(
                              "prepaid",
                              bool()
                                  .description(
                                      """
                                      Whether its organizations pay their usage from a prepaid \
                                      balance (GET /balance) as it accrues; the invoice still \
                                      comes each period, paid from the balance \
                                      (subscriptionPlans' prepaid, default false)"""))
                          .req("limits", array(PLAN_LIMIT))
                          .req(
                              "features",
                              array(string())
                                  .description(
                                      """
                                      Each limit in words, in the meters' order: "2 CPU cores at \
                                      once", "100 AI queries a period, overage billed beyond" for \
                                      a soft counter, "5 members" for hard seats, "5 members \
                                      included, each further seat billed" for soft ones, \
                                      "Unlimited ...\"""")))));

  /**
   * The JSON body: the matrix and what the pages need to offer a change of plan: whether Stripe
   * Checkout is on, and the read-only lock's sentence while the account is locked (else null).
   */
  record PlansJson(
      String userId,
      String currency,
      String billingMode,
      boolean stripeEnabled,
      String locked,
      String currentPlanId,
      List<PlanJson> plans) {}

  /**
   * One plan; {@code features} says each limit in words, in the meters' order; {@code prepaid}
   * whether its organizations pay usage from a prepaid balance.
   */
  record PlanJson(
      String id,
      String name,
      BigDecimal price,
      String interval,
      boolean prepaid,
      List<LimitJson> limits,
      List<String> features) {}

  /** A meter's limit; {@code limit} and {@code kind} null when unlimited, as {@code /quota}. */
  record LimitJson(String meter, String name, String unit, BigDecimal limit, String kind) {}

  /** What a limit of each meter counts, in words. */
  private static final Map<Meter, String> COUNTS =
      Map.of(
          Meter.MEMBERS, "members",
          Meter.CPU_CORES, "CPU cores at once",
          Meter.MEMORY_GB, "GB memory at once",
          Meter.ACTIVE_SESSIONS, "sessions at once",
          Meter.STORAGE_GB, "GB storage",
          Meter.BANDWIDTH_GB, "GB bandwidth a period",
          Meter.TRANSCODING_MINUTES, "transcoding minutes a period",
          Meter.AI_QUERIES, "AI queries a period");

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final SubscriptionRepository subscriptions;
  private final ReadOnlyLock readOnlyLock;
  private final Supplier<BillingConfig> config;

  public PlanRoutes(
      OrgAccess access,
      AccountRepository accounts,
      SubscriptionRepository subscriptions,
      ReadOnlyLock readOnlyLock,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.subscriptions = subscriptions;
    this.readOnlyLock = readOnlyLock;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PLANS_ROUTE, JsonRoute.of(this::plans));
  }

  static final Operation PLANS_ROUTE =
      Operation.get("/plans")
          .orgMember()
          .summary("The pricing matrix in the account's currency")
          .description(
              """
              Who: any member of the organization; a platform admin.

              The pricing matrix in the account's currency (the configured one for a caller \
              without an account yet): \
              `{"user_id","currency","billing_mode","stripe_enabled","locked","current_plan_id","pl\
              ans":[{"id","name","price","interval","prepaid","limits":[{"meter","name","unit","lim\
              it","kind"}],"features":[...]}]}`; \
              `prepaid` true for a plan whose organizations pay usage from their prepaid balance; \
              `limits` every meter in `/quota`'s order as the plan's config resolves it (`limit` \
              and `kind` null when unlimited), `features` each limit in words (`"2 CPU cores at \
              once"`, `"100 AI queries a period, overage billed beyond"` for a soft one, `"5 \
              members included, each further seat billed"` for soft seats); a plan not priced in \
              the currency is left out; `locked` the read-only lock's sentence while the account \
              is locked for non-payment (else null); `current_plan_id` null without an account. \
              401, 403 for another user's, 404 for an unknown user (admin)""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, PLANS)
          .errors(404);

  /**
   * 200 with the plans priced in the account's currency (a plan not priced in it is left out),
   * {@code current_plan_id} null for a caller without an account yet; 401; 403 for another
   * organization's unless a member ({@code ?org_id=}); 404 for an unknown one (platform admin).
   */
  PlansJson plans(HttpRequest request) throws Exception {
    BillingConfig current = config.get();
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.MEMBER), accounts, current);
    Currency currency = subject.currency();
    List<PlanJson> plans = new ArrayList<>();
    for (SubscriptionPlan plan : current.subscriptionPlans()) {
      current
          .priceOf(plan, currency)
          .ifPresent(price -> plans.add(planJson(plan, Money.shown(price, currency), current)));
    }
    String currentPlanId =
        subscriptions.find(subject.orgId()).map(s -> s.current().planId()).orElse(null);
    return new PlansJson(
        subject.orgId(),
        currency.getCurrencyCode(),
        current.billingMode().configName(),
        current.stripeEnabled(),
        readOnlyLock.lockedBecause(subject.orgId()).orElse(null),
        currentPlanId,
        plans);
  }

  private static PlanJson planJson(SubscriptionPlan plan, BigDecimal price, BillingConfig config) {
    List<LimitJson> limits = new ArrayList<>();
    List<String> features = new ArrayList<>();
    config
        .limitsOf(plan.id())
        .all(config.meters())
        .forEach(
            (meter, limit) -> {
              limits.add(limitJson(meter, limit));
              features.add(feature(meter, limit));
            });
    return new PlanJson(
        plan.id(), plan.name(), price, plan.interval(), plan.prepaid(), limits, features);
  }

  private static LimitJson limitJson(Meter meter, Limit limit) {
    return limit.unlimited()
        ? new LimitJson(meter.configName(), meter.name(), meter.unit(), null, null)
        : new LimitJson(
            meter.configName(),
            meter.name(),
            meter.unit(),
            limit.amount(),
            limit.kind().configName());
  }

  /**
   * "2 CPU cores at once", "100 AI queries a period, overage billed beyond", "5 members included,
   * each further seat billed", "Unlimited ...".
   */
  private static String feature(Meter meter, Limit limit) {
    if (limit.unlimited()) {
      return "Unlimited " + counts(meter);
    }
    String amount = limit.amount().stripTrailingZeros().toPlainString();
    String beyond =
        limit.kind() != LimitKind.SOFT
            ? ""
            : meter.measure() == Meter.Measure.SEATS
                ? " included, each further seat billed"
                : ", overage billed beyond";
    return amount + " " + counts(meter) + beyond;
  }

  /**
   * What a limit of the meter counts; a custom meter's in its name: "GPU minutes a period", "GPU
   * at once".
   */
  private static String counts(Meter meter) {
    if (meter.measure() == Meter.Measure.HELD) {
      return meter.name() + " at once"; // as cores and memory: what open sessions hold
    }
    return COUNTS.getOrDefault(meter, meter.name() + " a period");
  }
}
