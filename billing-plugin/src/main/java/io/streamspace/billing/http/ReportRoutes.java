package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.string;

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
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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

  public void register(DescribedRoutes routes) {
    routes.add(REPORT, JsonRoute.of(this::report));
  }

  static final Operation REPORT =
      Operation.get("/admin/reports")
          .admin()
          .summary("Every account's usage and cost, grouped")
          .description(
              """
              Who: admin.

              Every account's usage and cost over `[from, to)` (`from`/`to` as `/usage`: dates = \
              midnight in the billing zone, or instants where slices are cut, of any account, 400 \
              `invalid_range` naming it otherwise; default the current month), grouped by \
              `group_by`: `user` (default; the organization), `member` (the organization and the \
              member, `member_id`), `resource`, `day` (in the billing zone, by the slice's start) \
              or `plan` (the plan the account was on when the slice started, from its \
              subscriptions; null before its first). A row per group, currency, resource, unit \
              price and activity (so currencies and units never add up together): the group's \
              column (`user_id`, `day` or `plan_id`; none for `resource`), `currency`, \
              `resource_type`, `unit`, `unit_price`, `quantity` (6 places, display only) and \
              `cost`, summed exactly and rounded once per row to the currency's minor unit, and, \
              on a row of idle or disconnected time at an activityRates factor or of hibernated \
              time, its `activity` and what it `saved` (the CSV's last two columns, empty on \
              other rows), ordered by group, currency, resource and unit price. Grouped by \
              user, a closed period's rows are its invoices' usage lines, to the cent, when the \
              invoices were made under the usage billing mode (the other modes net out what plans \
              include). `format=json` (default): \
              `{"from","to","group_by","rows":[...]}`; `format=csv`: RFC 4180 (Apache Commons \
              CSV), a header line then a record per row, CRLF, `Content-Type: text/csv; \
              charset=utf-8`, `Content-Disposition: attachment; \
              filename="usage-<from>-<to>-<group_by>.csv"` (a date, else the UTC instant as \
              `20260302T100000Z`); a text cell (a user or plan id, chiefly) starting like a \
              spreadsheet formula (`=`, `+`, `-`, `@`, `|`, `;`, their full-width and small forms, \
              or whitespace or an invisible character before one) is written with a leading `'`, \
              in the CSV only. Grouped by account (`user`, `member`), a report can be read a page \
              of accounts at a time: `limit` (1 to 1,000) accounts in id order (byte order) after \
              `after` (none: from the first), each with all its rows (none when it used nothing in \
              the range); the page reads only its accounts' usage, so its time does not grow with \
              the number of accounts. The next page's `after` is `next_after` in the JSON (null on \
              the last page) and the `X-Next-After` header (percent-encoded, absent on the last \
              page) in both formats. 400 naming `limit` for another grouping, `after` without \
              `limit`.""")
          .params(
              Param.FROM,
              Param.TO,
              Param.query(
                      "group_by",
                      string()
                          .enumOf("user", "resource", "day", "plan", "member")
                          .defaultValue("user"))
                  .description(
                      """
                      member: rows per account (user_id, the organization) and member (member_id: \
                      the user who ran the sessions; null, or empty in CSV, for the organization's \
                      part, storage). Each account's line is split among its members by largest \
                      remainder, so a line's member rows add up to its row grouped by user."""),
              Param.query("format", string().enumOf("json", "csv").defaultValue("json")),
              Param.query("limit", integer().min(1).max(1000))
                  .description(
                      """
                      a page of this many accounts (group_by user or member only); without it, the \
                      whole report"""),
              Param.query("after", string())
                  .description(
                      """
                      the page starts after this account id: the previous page's next_after (or \
                      X-Next-After, percent-encoded); needs limit"""))
          .answers(
              200,
              Response.of("the report, streamed")
                  .json(ReportRoutesSchemas.REPORT)
                  .content("text/csv", string())
                  .header(
                      "X-Next-After",
                      string(),
                      """
                      on a page that is not the last: its last account's id, percent-encoded as a \
                      query value (the next page's `after`)"""))
          .errors(400);

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
