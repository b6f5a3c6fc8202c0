package io.streamspace.billing.http;

import io.streamspace.billing.analytics.Lead;
import io.streamspace.billing.analytics.LeadOrder;
import io.streamspace.billing.analytics.SalesLeads;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/leads", JsonRoute.of(this::leads));
  }

  /**
   * The answer: the instant the leads were judged at (the last check-quotas run's, {@link
   * SalesLeads#asOf}), a page of them, the next page's offset.
   */
  public record Leads(Instant asOf, List<Lead> leads, Integer nextOffset) {}

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
                lead.orgId(),
                lead.plan(),
                String.join(" ", lead.reasons()),
                joined(lead, Lead.NEAR_LIMITS, LeadRoutes::nearLimit),
                joined(lead, Lead.HIT_HARD_LIMIT, LeadRoutes::hit),
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
