package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.analytics.Lead;
import io.streamspace.billing.analytics.LeadOrder;
import io.streamspace.billing.analytics.SalesLeads;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVPrinter;

/**
 * The sales leads for the platform admin: {@code GET /admin/leads}, the organizations on a lead
 * plan near their limits, at a hard limit or growing in members in the last 30 days, each with
 * the evidence of every reason ({@link SalesLeads}); JSON or CSV, sorted and paged.
 */
public final class LeadRoutes {

  // the bodies and answers of these routes

  static final Schema LEAD_HARD_LIMIT_HIT =
      Schema.component(
          "LeadHardLimitHit",
          object()
              .req("meter", string())
              .req(
                  "at",
                  string()
                      .format("date-time")
                      .description(
                          """
                          the first check-quotas run that found it at or over the hard limit, on \
                          the latest such day""")));

  static final Schema LEAD_MEMBER_GROWTH =
      Schema.component(
          "LeadMemberGrowth",
          object()
              .req("from", integer().description("members 30 days ago"))
              .req("to", integer().description("members now")));

  static final Schema LEAD_NEAR_LIMIT =
      Schema.component(
          "LeadNearLimit",
          object()
              .req("meter", string())
              .req(
                  "days_above",
                  integer()
                      .description(
                          """
                          days of the last 30 at or above leadLimitPercent of the limit"""))
              .req(
                  "highest_share",
                  number().description("the highest used ÷ limit seen on those days, 4 decimals")));

  static final Schema LEAD =
      Schema.component(
          "Lead",
          object()
              .req("org_id", string())
              .req("plan", string().description("the plan id now"))
              .req(
                  "reasons",
                  array(string().enumOf("near_limits", "hit_hard_limit", "members_grew")))
              .req(
                  "evidence",
                  object()
                      .description("each reason of `reasons` under its name, no other")
                      .prop("near_limits", array(LEAD_NEAR_LIMIT))
                      .prop("hit_hard_limit", array(LEAD_HARD_LIMIT_HIT))
                      .prop("members_grew", LEAD_MEMBER_GROWTH)));

  static final Schema LEADS =
      Schema.component(
          "Leads",
          object()
              .req(
                  "as_of",
                  string()
                      .format("date-time")
                      .description(
                          """
                          the instant the leads were judged at: the last check-quotas run's, or \
                          the request's when that run is over 10 minutes old or was made with \
                          other lead config keys"""))
              .req("leads", array(LEAD))
              .req("next_offset", integer().orNull()));

  private static final List<String> CSV_COLUMNS =
      List.of(
          "org_id",
          "plan",
          "reasons",
          "near_limits",
          "hit_hard_limit",
          "members_from",
          "members_to");

  private final SalesLeads leads;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public LeadRoutes(SalesLeads leads, Supplier<BillingConfig> config, Clock clock) {
    this.leads = leads;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(LEADS_ROUTE, JsonRoute.of(this::leads));
  }

  /**
   * The answer: the instant the leads were judged at (the last check-quotas run's, {@link
   * SalesLeads#asOf}), a page of them, the next page's offset.
   */
  public record Leads(Instant asOf, List<Lead> leads, Integer nextOffset) {}

  static final Operation LEADS_ROUTE =
      Operation.get("/admin/leads")
          .admin()
          .summary(
              """
              Sales leads: organizations on a lead plan near their limits, at a hard limit or \
              growing""")
          .description(
              """
              Who: admin.

              `{"as_of","leads":[{"org_id","plan","reasons":[…],"evidence":{…}}],"next_offset"}`: \
              the organizations, not closed, whose plan now is one of `leadPlans` (default `pro`) \
              that in the last 30 days (to today in the billing time zone) ran at or above \
              `leadLimitPercent` (80) of a limit on `leadDays` (5) days or more as check-quotas \
              found them (`near_limits`: per meter `days_above` and `highest_share`, used ÷ limit, \
              4 decimals), were found by check-quotas at or over a hard limit (`hit_hard_limit`: \
              per meter `at`, the first run that found it so on the latest such day), or gained \
              `leadMemberGrowth` (5) members, or `leadMemberGrowthPercent` (50) % of the members \
              they had 30 days before (`members_grew`: `from`, `to`). `reasons` in that order; \
              `evidence` holds each reason's evidence under its name. Ordered by `sort`: `org_id` \
              (the default), `plan`, `days_above` (most days near a limit of one meter), \
              `highest_share`, `hit_at` (latest hard limit hit, none last) or `members_added`, \
              descending with a leading `-`; ties by organization id. Pages by `limit` (1-100, \
              default 20) and `offset`, `next_offset` null on the last page. `format=csv`: the \
              same page as CSV \
              (`org_id,plan,reasons,near_limits,hit_hard_limit,members_from,members_to`). 400 \
              naming `sort`, `format`, `limit` or `offset`. Days near a limit are those \
              check-quotas saw (it keeps them from its runs on), see docs/analytics.md.""")
          .params(
              Param.query(
                      "sort",
                      string()
                          .enumOf(
                              "org_id",
                              "-org_id",
                              "plan",
                              "-plan",
                              "days_above",
                              "-days_above",
                              "highest_share",
                              "-highest_share",
                              "hit_at",
                              "-hit_at",
                              "members_added",
                              "-members_added"))
                  .description("the field to order by, a leading `-` for descending"),
              Param.query("format", string().enumOf("json", "csv")),
              Param.LIMIT,
              Param.OFFSET)
          .answers(200, Response.of("OK").json(LEADS).content("text/csv", string()))
          .errors(400);

  /**
   * 200 with a page ({@code limit}, {@code offset}) of the leads ordered by {@code sort} ({@code
   * org_id} by default, {@code plan}, {@code days_above}, {@code highest_share}, {@code hit_at}
   * or {@code members_added}; a leading {@code -} for descending; ties by organization id);
   * {@code format=csv} as CSV (the same page); 400 naming {@code sort}, {@code format}, {@code
   * limit} or {@code offset}; platform admin.
   */
  Object leads(HttpRequest request) throws Exception {
    Access.admin(request);
    SortParam<LeadOrder> sort =
        SortParam.of(
            request,
            LeadOrder.ORG_ID.jsonName(),
            LeadOrder::named,
            "org_id, plan, days_above, highest_share, hit_at or members_added");
    ReportFormat format =
        ReportFormat.named(QueryParams.of(request, "format").orElse("json"))
            .orElseThrow(() -> ApiException.badParameter("format", "format must be json or csv"));
    Page page = Page.of(request);
    Instant asOf = leads.asOf(config.get(), clock.instant());
    List<Lead> fetched = leads.page(sort.order(), sort.descending(), page.fetch(), page.offset());
    if (format == ReportFormat.JSON) {
      return new Leads(asOf, page.rows(fetched), page.nextOffset(fetched));
    }
    return HttpResponse.streamed(
        HttpStatus.OK,
        ReportFormat.CSV.contentType(),
        Map.of("Content-Disposition", "attachment; filename=\"leads.csv\""),
        out -> {
          CSVPrinter printer = ReportFormat.csvPrinter(out, CSV_COLUMNS);
          for (Lead lead : page.rows(fetched)) {
            Lead.MemberGrowth growth = (Lead.MemberGrowth) lead.evidence().get(Lead.MEMBERS_GREW);
            printer.printRecord(
                ReportFormat.inert(lead.orgId()),
                ReportFormat.inert(lead.plan()),
                String.join(" ", lead.reasons()),
                ReportFormat.inert(joined(lead, Lead.NEAR_LIMITS, LeadRoutes::nearLimit)),
                ReportFormat.inert(joined(lead, Lead.HIT_HARD_LIMIT, LeadRoutes::hit)),
                growth == null ? "" : growth.from(),
                growth == null ? "" : growth.to());
          }
          printer.close(true);
        });
  }

  /** A reason's list of evidence in one cell, each written by {@code cell}, "; " between. */
  private static <T> String joined(Lead lead, String reason, Function<T, String> cell) {
    @SuppressWarnings("unchecked")
    List<T> items = (List<T>) lead.evidence().get(reason);
    return items == null ? "" : items.stream().map(cell).collect(Collectors.joining("; "));
  }

  /** {@code cpu_cores 6 days 0.9500}. */
  private static String nearLimit(Lead.NearLimit near) {
    return "%s %d days %s"
        .formatted(near.meter(), near.daysAbove(), near.highestShare().toPlainString());
  }

  /** {@code active_sessions 2026-03-10T12:05:00Z}. */
  private static String hit(Lead.HardLimitHit hit) {
    return hit.meter() + " " + hit.at();
  }
}
