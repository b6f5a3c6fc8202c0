package io.streamspace.billing.http;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.SliceCuts;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.billing.reports.ReportFormat.RowWriter;
import io.streamspace.billing.reports.ReportGrouping;
import io.streamspace.billing.reports.ReportPage;
import io.streamspace.billing.reports.UsageReportQuery;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /admin/reports}: every account's usage and cost over a range, grouped by user,
 * resource, day, plan, or account and member, as CSV or JSON, streamed from a cursor as the rows
 * are read (so a year of every account is never held, in either format); grouped by account,
 * also a page of accounts at a time.
 */
public final class ReportRoutes {

  private static final DateTimeFormatter INSTANT_IN_NAME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The most accounts a page of a report holds. */
  static final int MAX_PAGE = 1_000;

  /**
   * The header of a page of a report that tells where the next starts: the last account's id,
   * percent-encoded as a query parameter's value ({@code &after=} takes it as it is). JSON has it
   * in {@code next_after} too. Absent on the last page.
   */
  static final String NEXT_AFTER_HEADER = "X-Next-After";

  private final UsageReportQuery reports;
  private final UsageRecordRepository records;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public ReportRoutes(
      UsageReportQuery reports,
      UsageRecordRepository records,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.reports = reports;
    this.records = records;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/reports", JsonRoute.of(this::report));
  }

  /**
   * 200 with the rows, streamed; 401/403 unless admin; 400 naming {@code group_by} or {@code
   * format} when not one of theirs, {@code from}/{@code to} as {@code GET /usage} validates them
   * (defaults: the current month; ends between slices of every account). With {@code limit}, a
   * page of that many accounts after {@code after} (by user or by member only), which reads only
   * its accounts' usage: a report of every organization a page at a time.
   */
  HttpResponse report(HttpRequest request) throws Exception {
    Access.admin(request);
    String groupBy = QueryParams.of(request, "group_by").orElse("user");
    ReportGrouping grouping =
        ReportGrouping.named(groupBy)
            .orElseThrow(
                () ->
                    ApiException.badParameter(
                        "group_by", "group_by must be user, resource, day, plan or member"));
    ReportFormat format =
        ReportFormat.named(QueryParams.of(request, "format").orElse("json"))
            .orElseThrow(() -> ApiException.badParameter("format", "format must be json or csv"));
    Optional<Integer> limit = pageLimit(request, grouping);
    ZoneId zone = config.get().billingTimeZone();
    TimeRange range = TimeRange.of(request, zone, clock);
    range.requireCuts(new SliceCuts(zone), records::anySliceSpans);
    ReportPage page =
        limit.isEmpty()
            ? null
            : ReportPage.of(
                reports.accountsAfter(QueryParams.of(request, "after").orElse(""), limit.get() + 1),
                limit.get());
    Map<String, String> headers = new HashMap<>();
    if (format == ReportFormat.CSV) {
      headers.put(
          "Content-Disposition",
          "attachment; filename=\"usage-%s-%s-%s.csv\""
              .formatted(name(range.from(), zone), name(range.to(), zone), groupBy));
    }
    if (page != null && page.nextAfter() != null) {
      // %20 for a space, not a form's +, so that any percent-decoder reads it back the same
      headers.put(
          NEXT_AFTER_HEADER,
          URLEncoder.encode(page.nextAfter(), StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return HttpResponse.streamed(
        HttpStatus.OK,
        format.contentType(),
        headers,
        out -> {
          RowWriter writer = format.open(out, grouping, range.from(), range.to(), page);
          if (page == null) {
            reports.forEachRow(grouping, range.from(), range.to(), zone, writer::write);
          } else {
            reports.forEachRowOf(
                page.accounts(), grouping, range.from(), range.to(), zone, writer::write);
          }
          writer.close();
        });
  }

  /**
   * The page's size in accounts when {@code limit} is given (1 to {@value #MAX_PAGE}); empty for
   * the whole report. 400 naming {@code limit} for a grouping whose rows are not an account's,
   * {@code after} given without {@code limit}.
   */
  private static Optional<Integer> pageLimit(HttpRequest request, ReportGrouping grouping) {
    if (QueryParams.of(request, "limit").isEmpty()) {
      if (QueryParams.of(request, "after").isPresent()) {
        throw ApiException.badParameter("after", "after pages a report read with limit");
      }
      return Optional.empty();
    }
    if (!grouping.byAccount()) {
      throw ApiException.badParameter(
          "limit", "limit pages organizations: a report by user or by member");
    }
    return Optional.of(Page.intParam(request, "limit", MAX_PAGE, 1, MAX_PAGE));
  }

  /** A range end in a file name: its date when a midnight in the billing zone, else UTC. */
  private static String name(Instant instant, ZoneId zone) {
    ZonedDateTime local = instant.atZone(zone);
    return local.toLocalTime().equals(LocalTime.MIDNIGHT)
        ? local.toLocalDate().toString()
        : INSTANT_IN_NAME.format(instant);
  }
}
