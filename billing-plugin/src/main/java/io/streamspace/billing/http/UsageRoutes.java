package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.rating.ResourceTotal;
import io.streamspace.billing.rating.SliceCuts;
import io.streamspace.billing.rating.UsageByMember;
import io.streamspace.billing.rating.UsageByMember.MemberCost;
import io.streamspace.billing.rating.UsageCorrection;
import io.streamspace.billing.rating.UsageLine;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageStatement;
import io.streamspace.billing.rating.UsageSum;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /usage}: a user's rated usage and its cost over a period; {@code GET /usage/daily}:
 * the same per day of the last days, for a chart.
 */
public final class UsageRoutes {

  // the bodies and answers of these routes

  static final Schema DAILY_RESOURCE =
      Schema.component(
          "DailyResource",
          object()
              .req("resource_type", string())
              .req("quantity", number())
              .req("unit", string())
              .req("cost", number())
              .prop(
                  "saved",
                  number()
                      .description(
                          """
                          Where some of the day's time was priced at an activity factor: what \
                          those lines saved (the sum of their saved in /usage)""")));

  static final Schema DAILY_USAGE =
      Schema.component(
          "DailyUsage",
          object()
              .req("user_id", string())
              .req("currency", string())
              .req(
                  "days",
                  array(
                      object()
                          .req("date", string().format("date"))
                          .req("resources", array(DAILY_RESOURCE)))));

  static final Schema USAGE_LINE =
      Schema.component(
          "UsageLine",
          object()
              .req("resource_type", string())
              .req("quantity", number())
              .req("unit", string())
              .req("unit_price", number())
              .req("total_cost", number())
              .prop(
                  "activity",
                  string()
                      .description(
                          """
                          idle or disconnected: time priced at its activityRates factor, on a \
                          line of its own; hibernated: a hibernated session's time, at nothing; \
                          absent on time at the full price"""))
              .prop(
                  "description",
                  string()
                      .description(
                          """
                          Such a line's name, with its factor: CPU, idle (× 0.5); CPU, \
                          hibernated"""))
              .prop(
                  "saved",
                  number()
                      .description(
                          """
                          Such a line's saving: what its time would have cost at the full price \
                          less total_cost, rounded once""")));

  static final Schema USAGE =
      Schema.component(
          "Usage",
          object()
              .req("user_id", string())
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req("currency", string())
              .prop(
                  "member_id",
                  string()
                      .description(
                          """
                          Asked for with member_id only: the member whose own usage this is"""))
              .req("lines", array(USAGE_LINE))
              .req("total_cost", number())
              .prop(
                  "total_saved",
                  number()
                      .description(
                          """
                          Where some line was priced at an activity factor: the sum of the \
                          lines' saved, what idle pricing saved"""))
              .prop(
                  "by_member",
                  array(object().req("user_id", string()).req("total_cost", number()))
                      .description(
                          """
                          A team organization's usage only (a personal organization's has neither \
                          this nor organization_cost): each member's cost of the sessions they \
                          ran, by user id. Each line is rounded once, then split among the members \
                          whose sessions made it and the organization by largest remainder over \
                          the currency's minor unit, so by_member's total_cost plus \
                          organization_cost add up to total_cost exactly."""))
              .prop(
                  "organization_cost",
                  number()
                      .description(
                          """
                          A team organization's usage only: what belongs to no member \
                          (storage)."""))
              .prop(
                  "corrections",
                  array(
                          object()
                              .req("correction_id", integer())
                              .req("resource_type", string())
                              .req("quantity", number())
                              .req("unit", string())
                              .req("cost", number()))
                      .description(
                          """
                          Where usage corrections changed the range's usage (not with \
                          member_id): what each changed, by correction and resource, the \
                          quantity it added (negative: took off) and its cost rounded on its \
                          own. The lines and total_cost count it already: they are the usage \
                          as corrected, a finalized period's too \
                          (docs/correcting-usage-and-invoices.md).""")));

  /**
   * The JSON body of {@code GET /usage}. A team organization's also has {@code by_member} and
   * {@code organization_cost} (what belongs to no member: storage), which add up to {@code
   * total_cost} to the minor unit ({@link UsageByMember}); a personal account's has neither. One
   * member's ({@code member_id}) has their parts of the lines instead, and neither. The usage is
   * as corrected, with {@code corrections} saying what each correction changed of it.
   */
  record UsageJson(
      String userId,
      Instant periodStart,
      Instant periodEnd,
      String currency,
      @JsonInclude(JsonInclude.Include.NON_NULL) String memberId,
      List<UsageLine> lines,
      BigDecimal totalCost,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal totalSaved,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<MemberCost> byMember,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal organizationCost,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<UsageCorrection> corrections) {

    /** One member's own usage in the organization: their parts of its lines, no breakdown. */
    static UsageJson ofMember(UsageStatement s, String memberId) {
      return new UsageJson(
          s.orgId(),
          s.periodStart(),
          s.periodEnd(),
          s.currency().getCurrencyCode(),
          memberId,
          s.lines(),
          s.totalCost(),
          saved(s.lines()),
          null,
          null,
          null);
    }

    /**
     * @param byMember a team's breakdown, or null (a personal account's usage has none)
     * @param corrections what usage corrections changed of it
     */
    static UsageJson of(
        UsageStatement s, UsageByMember byMember, List<UsageCorrection> corrections) {
      return new UsageJson(
          s.orgId(),
          s.periodStart(),
          s.periodEnd(),
          s.currency().getCurrencyCode(),
          null,
          s.lines(),
          s.totalCost(),
          saved(s.lines()),
          byMember == null ? null : byMember.members(),
          byMember == null ? null : byMember.organizationCost(),
          corrections);
    }
  }

  /** The sum of the lines' savings; null (not shown) when no line was priced at a factor. */
  static BigDecimal saved(List<UsageLine> lines) {
    return lines.stream()
        .map(UsageLine::saved)
        .filter(java.util.Objects::nonNull)
        .reduce(BigDecimal::add)
        .orElse(null);
  }

  /** The JSON body of {@code GET /usage/daily}. */
  record DailyJson(String userId, String currency, List<DayJson> days) {}

  /** A day in the billing zone and its usage per resource ({@code []} when none). */
  record DayJson(LocalDate date, List<ResourceTotal> resources) {}

  static final String MEMBER_ID = "member_id";

  static final int DEFAULT_DAYS = 30;
  static final int MAX_DAYS = 366;

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final UsageRecordRepository records;
  private final MemberUsageRepository members;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public UsageRoutes(
      OrgAccess access,
      AccountRepository accounts,
      UsageRecordRepository records,
      MemberUsageRepository members,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.records = records;
    this.members = members;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(USAGE_ROUTE, JsonRoute.of(this::usage));
    routes.add(DAILY, JsonRoute.of(this::daily));
  }

  static final Operation USAGE_ROUTE =
      Operation.get("/usage")
          .orgAdmin()
          .summary("Usage and cost per resource over [from, to)")
          .description(
              """
              Who: without member_id, the organization's owner or an admin; a platform admin. With \
              member_id, also that member themselves: a member may name only themselves (another \
              member is refused 403 admin_required). Default: the current month. 400 invalid_range \
              naming from/to when it would cut a slice.

              Usage and cost per resource for `[from, to)`; for a team organization also \
              `by_member` and `organization_cost`, and with `member_id` one member's own part; \
              dates (`2026-03-01`, midnight in the billing zone) or instants; default the current \
              month. Exact: `from` and `to` must each be where usage slices are cut, a whole UTC \
              hour or a midnight in the billing zone (a date always is); another instant (10:30), \
              or one inside a slice rated under an earlier `billingTimeZone`, is 400 \
              `invalid_range` naming it. 403 for another user's, 404 for an unknown user (admin), \
              400 naming `from`/`to` when bad.""")
          .params(
              Param.ORG_ID,
              Param.query("member_id", string())
                  .description(
                      """
                      one member's own usage in the organization: the lines of the sessions that \
                      member ran under it, each costing the member's part of the organization's \
                      line as by_member splits it (so total_cost is the member's by_member \
                      total_cost); storage, no member's, is left out. The answer has member_id and \
                      neither by_member nor organization_cost"""),
              Param.FROM,
              Param.TO,
              Param.USER_ID)
          .answers(200, USAGE)
          .answers(403, Response.MEMBER_USAGE_REFUSED)
          .errors(400, 404);

  /**
   * 200 with the statement (a team organization's with its cost by member); with {@code
   * member_id}, that member's own: the lines of the sessions they ran under the organization,
   * each costing their part of the organization's line as {@code by_member} splits it (so their
   * total is their {@code by_member} cost), storage being no member's. 401 without a caller; 403
   * as {@link OrgAccess} decides (without {@code member_id} an Admin or the Owner; with it, also
   * the member themselves, {@link OrgAccess#organizationForMember}); 404 when an admin names a
   * user without an account; 400 for a bad range, or one whose {@code from} or {@code to} would
   * cut a slice of usage (it could only be estimated).
   */
  UsageJson usage(HttpRequest request) throws Exception {
    BillingConfig current = config.get();
    String memberId = QueryParams.of(request, MEMBER_ID).orElse(null);
    SubjectOrg org =
        memberId == null
            ? access.organization(request, MemberRole.ADMIN)
            : access.organizationForMember(request, memberId);
    SubjectAccount subject = SubjectAccount.of(org, accounts, current);
    TimeRange range = TimeRange.of(request, current.billingTimeZone(), clock);
    range.requireCuts(
        new SliceCuts(current.billingTimeZone()),
        instant -> records.sliceSpans(subject.orgId(), instant));
    if (memberId != null) {
      List<UsageLine> lines =
          UsageByMember.memberLines(
              members.sums(subject.orgId(), range.from(), range.to(), current.billingTimeZone()),
              subject.currency(),
              memberId);
      return UsageJson.ofMember(
          UsageStatement.ofLines(
              subject.orgId(), range.from(), range.to(), subject.currency(), lines),
          memberId);
    }
    List<UsageCorrection> corrections =
        records.corrections(subject.orgId(), range.from(), range.to(), subject.currency());
    if (subject.team()) {
      // the statement and the breakdown from the same records, read once, so they agree
      UsageByMember byMember =
          UsageByMember.of(
              members.sums(subject.orgId(), range.from(), range.to(), current.billingTimeZone()),
              subject.currency());
      return UsageJson.of(
          UsageStatement.of(
              subject.orgId(), range.from(), range.to(), subject.currency(), byMember.sums()),
          byMember,
          corrections);
    }
    return UsageJson.of(
        UsageStatement.of(
            subject.orgId(),
            range.from(),
            range.to(),
            subject.currency(),
            records.sums(subject.orgId(), range.from(), range.to())),
        null,
        corrections);
  }

  static final Operation DAILY =
      Operation.get("/usage/daily")
          .orgAdmin()
          .summary("Usage per day for a chart")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              Usage per day for a chart: \
              `{"user_id","currency","days":[{"date","resources":[{"resource_type","quantity","unit\
              ","cost"}]}]}`, the last `days` days (1–366, default 30) ending today in the billing \
              zone, oldest first, each midnight to midnight there (where slices are cut: a slice \
              counts on the day it starts); a day without usage is there with `"resources":[]`. \
              Per resource, `cost` adds `/usage`'s lines of that day (one per unit price, each \
              rounded once), so it is what `/usage` shows for that date; `quantity` is display \
              only (6 places). One statement over the account's key range of those days. 403 for \
              another user's, 404 for an unknown user (admin), 400 naming `days` when bad.""")
          .params(
              Param.ORG_ID,
              Param.query("days", integer().min(1).max(366).defaultValue(30)),
              Param.USER_ID)
          .answers(200, DAILY_USAGE)
          .errors(400, 404);

  /**
   * 200 with the last {@code days} days (1 to {@value #MAX_DAYS}, default {@value
   * #DEFAULT_DAYS}) ending today in the billing zone, oldest first, each midnight to midnight
   * there (where usage slices are cut, so each day is a sum of whole records, summed as {@link
   * #usage} sums them); 400 naming {@code days}; otherwise as {@link #usage}.
   */
  DailyJson daily(HttpRequest request) throws Exception {
    BillingConfig current = config.get();
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, current);
    int days = Page.intParam(request, "days", DEFAULT_DAYS, 1, MAX_DAYS);
    ZoneId zone = current.billingTimeZone();
    LocalDate today = LocalDate.now(clock.withZone(zone));
    List<List<UsageSum>> perDay =
        records.sumsPerRange(subject.orgId(), new SliceCuts(zone).daysUpTo(today, days));
    List<DayJson> answer = new ArrayList<>();
    for (int i = 0; i < days; i++) {
      answer.add(
          new DayJson(
              today.minusDays(days - 1 - i), ResourceTotal.of(perDay.get(i), subject.currency())));
    }
    return new DailyJson(subject.orgId(), subject.currency().getCurrencyCode(), answer);
  }
}
