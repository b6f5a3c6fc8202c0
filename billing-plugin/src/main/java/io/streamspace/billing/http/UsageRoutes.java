package io.streamspace.billing.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.rating.ResourceTotal;
import io.streamspace.billing.rating.SliceCuts;
import io.streamspace.billing.rating.UsageByMember;
import io.streamspace.billing.rating.UsageByMember.MemberCost;
import io.streamspace.billing.rating.UsageLine;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageStatement;
import io.streamspace.billing.rating.UsageSum;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
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

  /**
   * The JSON body of {@code GET /usage}. A team organization's also has {@code by_member} and
   * {@code organization_cost} (what belongs to no member: storage), which add up to {@code
   * total_cost} to the minor unit ({@link UsageByMember}); a personal account's has neither. One
   * member's ({@code member_id}) has their parts of the lines instead, and neither.
   */
  record UsageJson(
      String userId,
      Instant periodStart,
      Instant periodEnd,
      String currency,
      @JsonInclude(JsonInclude.Include.NON_NULL) String memberId,
      List<UsageLine> lines,
      BigDecimal totalCost,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<MemberCost> byMember,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal organizationCost) {

    static UsageJson of(UsageStatement s) {
      return of(s, null);
    }

    /** One member's own usage in the organization: their parts of its lines, no breakdown. */
    static UsageJson ofMember(UsageStatement s, String memberId) {
      return new UsageJson(
          s.userId(),
          s.periodStart(),
          s.periodEnd(),
          s.currency().getCurrencyCode(),
          memberId,
          s.lines(),
          s.totalCost(),
          null,
          null);
    }

    /** @param byMember a team's breakdown, or null (a personal account's usage has none) */
    static UsageJson of(UsageStatement s, UsageByMember byMember) {
      return new UsageJson(
          s.userId(),
          s.periodStart(),
          s.periodEnd(),
          s.currency().getCurrencyCode(),
          null,
          s.lines(),
          s.totalCost(),
          byMember == null ? null : byMember.members(),
          byMember == null ? null : byMember.organizationCost());
    }
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/usage", JsonRoute.of(this::usage));
    routes.add(HttpMethod.GET, "/usage/daily", JsonRoute.of(this::daily));
  }

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
    if (subject.team()) {
      // the statement and the breakdown from the same records, read once, so they agree
      UsageByMember byMember =
          UsageByMember.of(
              members.sums(subject.orgId(), range.from(), range.to(), current.billingTimeZone()),
              subject.currency());
      return UsageJson.of(
          UsageStatement.of(
              subject.orgId(), range.from(), range.to(), subject.currency(), byMember.sums()),
          byMember);
    }
    return UsageJson.of(
        UsageStatement.of(
            subject.orgId(),
            range.from(),
            range.to(),
            subject.currency(),
            records.sums(subject.orgId(), range.from(), range.to())));
  }

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
