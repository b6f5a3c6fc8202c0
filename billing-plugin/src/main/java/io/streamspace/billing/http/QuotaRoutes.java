package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.caps.MemberCapUse;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.quota.AccountQuota;
import io.streamspace.billing.quota.MeterOverThreshold;
import io.streamspace.billing.quota.MeterQuota;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /quota}: an account's use of every meter against its plan's limits, read now; {@code
 * GET /admin/quotas}: the accounts at or over the alert threshold, worst first.
 */
public final class QuotaRoutes {

  // the bodies and answers of these routes

  static final Schema METER_QUOTA =
      Schema.component(
          "MeterQuota",
          object()
              .req(
                  "meter",
                  string()
                      .description(
                          """
                          The meter's id: a built-in one (cpu_cores, memory_gb, active_sessions, \
                          storage_gb, bandwidth_gb, transcoding_minutes, ai_queries, members) or a \
                          custom one. members counts the organization's seats now: its members as \
                          their events decide them by event time (a personal organization has one, \
                          its user); its limit is the plan's included seats, soft (each further \
                          seat billed on the invoice) or hard (the platform should add no member \
                          beyond it; admission refuses it); exceeded at or over the limit, as \
                          every meter, and alerted like the others (billing.quota.warning, \
                          billing.quota.exceeded)"""))
              .req(
                  "name",
                  string()
                      .description(
                          """
                          The meter's display name, as the config's meters list gives it"""))
              .req("unit", string())
              .req(
                  "used",
                  number()
                      .description(
                          """
                          What is used now: open sessions' cores, memory or count, the storage \
                          level, the period's reports of a counter, the organization's members \
                          (seats)"""))
              .req("limit", number().orNull())
              .req("percent", number().orNull())
              .req("kind", string().orNull())
              .req("state", string().enumOf("ok", "warning", "exceeded", "confirmation_required"))
              .req("resets_at", string().orNull().format("date-time"))
              .req("overage_cost", number().orNull()));

  static final Schema QUOTA =
      Schema.component(
          "Quota",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req("period_start", string().format("date-time"))
              .req("meters", array(METER_QUOTA))
              .req("over_since", string().orNull().format("date-time"))
              .req("suspends_at", string().orNull().format("date-time"))
              .req("suspended", bool())
              .prop(
                  "member_cap",
                  object()
                      .description(
                          """
                          the caller's own cap inside the organization (PUT /member-caps) beside \
                          what their open sessions under it hold now, as admission counts them; \
                          absent when they have none""")
                      .req("user_id", string())
                      .req(
                          "meters",
                          array(
                              object()
                                  .req(
                                      "meter",
                                      string().enumOf("active_sessions", "cpu_cores", "memory_gb"))
                                  .req("cap", number())
                                  .req("used", number())))));

  static final Schema QUOTA_ROW =
      Schema.component(
          "QuotaRow",
          object()
              .req("user_id", string())
              .req("meter", string())
              .req("used", number())
              .req("limit", number())
              .req("percent", number().orNull())
              .req("kind", string())
              .req("state", string()));

  static final Schema QUOTAS_OVER_THRESHOLD =
      Schema.component(
          "QuotasOverThreshold",
          object().req("quotas", array(QUOTA_ROW)).req("next_offset", integer().orNull()));

  /** One meter of {@code GET /quota}. */
  record MeterJson(
      String meter,
      String name,
      String unit,
      BigDecimal used,
      BigDecimal limit,
      BigDecimal percent,
      String kind,
      String state,
      Instant resetsAt,
      BigDecimal overageCost) {

    static MeterJson of(MeterQuota q) {
      return new MeterJson(
          q.meter().configName(),
          q.meter().name(),
          q.meter().unit(),
          q.used(),
          q.limit(),
          q.percent(),
          q.kind() == null ? null : q.kind().configName(),
          q.state().jsonName(),
          q.resetsAt(),
          q.overageCost());
    }
  }

  /** A meter of the caller's cap inside the organization, and what they hold of it now. */
  record CappedJson(String meter, BigDecimal cap, BigDecimal used) {}

  /** The caller's cap inside the organization ({@code /member-caps}), as admission counts it. */
  record MemberCapJson(String userId, List<CappedJson> meters) {

    static MemberCapJson of(MemberCapUse use) {
      return new MemberCapJson(
          use.userId(),
          use.meters().stream()
              .map(m -> new CappedJson(m.meter().configName(), m.cap(), m.used()))
              .toList());
    }
  }

  /**
   * The JSON body of {@code GET /quota}: the meters, and since when the account is over a hard
   * limit (as check-quotas last found it), when it is suspended for it, and whether it is; and
   * the caller's own cap inside the organization beside what they hold (absent when uncapped).
   */
  record QuotaJson(
      String userId,
      String currency,
      Instant periodStart,
      List<MeterJson> meters,
      Instant overSince,
      Instant suspendsAt,
      boolean suspended,
      @JsonInclude(JsonInclude.Include.NON_NULL) MemberCapJson memberCap) {

    static QuotaJson of(
        AccountQuota q, OverLimitSuspensions.State over, Optional<MemberCapUse> cap) {
      return new QuotaJson(
          q.orgId(),
          q.currency().getCurrencyCode(),
          q.periodStart(),
          q.meters().stream().map(MeterJson::of).toList(),
          over.overSince(),
          over.suspendsAt(),
          over.suspended(),
          cap.map(MemberCapJson::of).orElse(null));
    }
  }

  /** One row of {@code GET /admin/quotas}: an account's meter at or over the threshold. */
  record OverThresholdJson(
      String userId,
      String meter,
      BigDecimal used,
      BigDecimal limit,
      BigDecimal percent,
      String kind,
      String state) {

    static OverThresholdJson of(MeterOverThreshold q) {
      return new OverThresholdJson(
          q.orgId(),
          q.meter().configName(),
          q.used(),
          q.limit(),
          q.percent(),
          q.kind().configName(),
          q.state().jsonName());
    }
  }

  /** The JSON body of {@code GET /admin/quotas}: a page of rows and the next offset. */
  record OverThresholdPageJson(List<OverThresholdJson> quotas, Integer nextOffset) {}

  private final OrgAccess access;
  private final Quotas quotas;
  private final OverLimitSuspensions suspensions;
  private final MemberCapsInMemory caps;

  public QuotaRoutes(
      OrgAccess access, Quotas quotas, OverLimitSuspensions suspensions, MemberCapsInMemory caps) {
    this.access = access;
    this.quotas = quotas;
    this.suspensions = suspensions;
    this.caps = caps;
  }

  public void register(DescribedRoutes routes) {
    routes.add(QUOTA_ROUTE, JsonRoute.of(this::quota));
    routes.add(OVER_THRESHOLD, JsonRoute.of(this::overThreshold));
  }

  static final Operation QUOTA_ROUTE =
      Operation.get("/quota")
          .orgMember()
          .summary("The quota of every meter, read now")
          .description(
              """
              Who: any member of the organization; a platform admin.

              The quota of every meter, read now: \
              `{"user_id","currency","period_start","meters":[{"meter","name","unit","used","limit"\
              ,"percent","kind","state","resets_at","overage_cost"}],"over_since","suspends_at","su\
              spended"}`; `name` the meter's display name (`meters`' `name`: `CPU`, `GPU \
              minutes`); `over_since` when check-quotas first found the account over a hard limit \
              (null when it last found it within), `suspends_at` `over_since + gracePeriodDays` \
              (null when not over or `autoSuspendOnOverage` is off; in the past once suspended), \
              `suspended` whether it is held for being over; meters in the order of `meters` (by \
              default `cpu_cores`, `memory_gb`, `active_sessions`, `storage_gb`, `bandwidth_gb`, \
              `transcoding_minutes`, `ai_queries`, `members`: the organization's seats now, 1 for \
              a personal one); `limit`, `percent`, `kind` null when unlimited; `state` `ok`, \
              `warning`, `exceeded` or `confirmation_required` (a soft counter at or over its \
              limit, overage not confirmed this period); `resets_at` the next period start for the \
              counters, null for the others; `overage_cost` for a soft counter at or over its \
              limit (confirmed or not), (used − limit) × its `meterRates` rate in the account's \
              currency, rounded once to the currency's minor unit (else null; concurrent meters \
              and storage have none). 401, 403 for another user's, 404 for a user without an \
              account.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, QUOTA)
          .errors(404);

  /**
   * 200 with every meter, and the caller's cap inside the organization if an Admin set one;
   * 401 without a caller; 403 for an organization the caller is not a member of; 404 for one
   * without a billing account (no plan, so no limits).
   */
  QuotaJson quota(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.MEMBER).id();
    AccountQuota quota =
        quotas
            .of(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + orgId));
    return QuotaJson.of(
        quota,
        suspensions.stateOf(quota.orgId()),
        caps.capUse(quota.orgId(), Access.authenticated(request).userId()));
  }

  static final Operation OVER_THRESHOLD =
      Operation.get("/admin/quotas")
          .admin()
          .summary("Every account's meters at or over the alert threshold")
          .description(
              """
              Who: admin.

              `{"quotas":[{"user_id","meter","used","limit","percent","kind","state"}],"next_offset\
              "}`: one row per account and meter in `warning`, `exceeded` or \
              `confirmation_required` (the same rule, percents and threshold as `/quota`, read \
              now; unlimited meters never listed), worst first: highest `percent` first (a zero \
              limit used at all, `percent` null, before any), `exceeded` and \
              `confirmation_required` before `warning`, then by user id and meter in `/quota`'s \
              order. `state` (`warning`, `exceeded` or `confirmation_required`) and `meter` filter \
              exactly, 400 naming the one that is unknown. One SQL statement per page, the plans' \
              limits and the threshold passed to it. Pages by `limit` (1-100, default 20) and \
              `offset` (≥ 0), 400 naming the bad one, `next_offset` null on the last page.""")
          .params(
              Param.query("state", string().enumOf("warning", "exceeded", "confirmation_required")),
              Param.query("meter", string().pattern("^[a-z][a-z0-9_]{0,39}$"))
                  .description(
                      """
                      a meter of the config's meters: cpu_cores, memory_gb, active_sessions, \
                      storage_gb, bandwidth_gb, transcoding_minutes, ai_queries, members by \
                      default, or a custom one (gpu_minutes)"""),
              Param.LIMIT,
              Param.OFFSET)
          .answers(200, QUOTAS_OVER_THRESHOLD)
          .errors(400);

  /**
   * 200 with a page of (account, meter) pairs in {@code warning}, {@code exceeded} or {@code
   * confirmation_required}, worst
   * first, filtered by {@code state} and {@code meter}; 400 naming {@code state}, {@code meter},
   * {@code limit} or {@code offset}; 401/403 unless admin.
   */
  OverThresholdPageJson overThreshold(HttpRequest request) throws Exception {
    Access.admin(request);
    QuotaState state = overThresholdState(request, "state");
    Meter meter = meterParam(request, quotas.meters());
    Page page = Page.of(request);
    List<MeterOverThreshold> rows =
        quotas.overThreshold(state, meter, page.limit() + 1, page.offset());
    return new OverThresholdPageJson(
        page.rows(rows).stream().map(OverThresholdJson::of).toList(), page.nextOffset(rows));
  }

  /**
   * The state named by parameter {@code name}: {@code warning}, {@code exceeded} or {@code
   * confirmation_required}; null when absent; 400 naming it otherwise.
   */
  static QuotaState overThresholdState(HttpRequest request, String name) throws ApiException {
    String value = QueryParams.of(request, name).orElse(null);
    if (value == null) {
      return null;
    }
    for (QuotaState state : QuotaState.values()) {
      if (state != QuotaState.OK && state.jsonName().equals(value)) {
        return state;
      }
    }
    throw ApiException.badParameter(
        name, name + " must be warning, exceeded or confirmation_required");
  }

  private static Meter meterParam(HttpRequest request, Meters meters) throws ApiException {
    String value = QueryParams.of(request, "meter").orElse(null);
    if (value == null) {
      return null;
    }
    return meters
        .named(value)
        .orElseThrow(() -> ApiException.badParameter("meter", "unknown meter " + value));
  }
}
