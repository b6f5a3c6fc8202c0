package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.explain.ExplainedRecord;
import io.streamspace.billing.explain.LineExplainer;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code GET /invoices/{id}/lines/{n}/explain}: why line {@code n} (from 1, in the invoice's
 * order) is what it is, down to the records and their sessions' journaled events ({@link
 * LineExplainer}). Who may read it, and what anyone else is answered, is exactly {@code GET
 * /invoices/{id}}'s ({@link InvoiceRoutes#invoice}): the organization's Owner and Admins and a
 * platform admin. JSON a page of records at a time ({@code limit}, {@code offset}); {@code
 * format=csv} streams every record of the line, a row each, read a chunk at a time.
 */
public final class ExplainRoutes {

  // the bodies and answers of these routes

  static final Schema EXPLAINED_RECORD =
      Schema.component(
          "ExplainedRecord",
          object()
              .req("n", integer())
              .req(
                  "source",
                  string()
                      .enumOf(
                          "usage_record",
                          "plan_allowance",
                          "period_part",
                          "pack_charge",
                          "credit_application",
                          "member_share",
                          "counter",
                          "seats",
                          "store_purchase",
                          "correction_record",
                          "corrected_line",
                          "coupon"))
              .req("session_id", string().orNull())
              .req("member_id", string().orNull())
              .req("from", string().orNull().format("date-time"))
              .req("to", string().orNull().format("date-time"))
              .req("unit_seconds", number().orNull())
              .req("quantity", number().orNull())
              .req("unit", string().orNull())
              .req("unit_price", number().orNull())
              .req("amount", number())
              .req("rounding_step", number())
              .req("subtotal", number())
              .req("detail", string().orNull())
              .req("events_retained", bool().orNull())
              .req(
                  "events",
                  array(
                      object()
                          .req("id", string())
                          .req("type", string())
                          .req("occurred_at", string().format("date-time")))));

  static final Schema LINE_EXPLANATION =
      Schema.component(
          "LineExplanation",
          object()
              .req("invoice_id", integer())
              .req("currency", string())
              .req("line", Schemas.INVOICE_LINE)
              .req("computation", string())
              .req("record_count", integer())
              .req(
                  "sums",
                  object()
                      .req("total", number())
                      .req("matches_line", bool())
                      .req("sum_of_rounded_records", number())
                      .req("rounding_difference", number())
                      .req("rounding_step", number())
                      .req("rounding_rule", string()))
              .req("events_retained", bool())
              .req("events_note", string().orNull())
              .req("records", array(EXPLAINED_RECORD))
              .req("next_offset", integer().orNull())
              .prop(
                  "credited_back",
                  array(
                          object()
                              .req("credit_note_id", integer())
                              .req("credit_note_number", string())
                              .req("amount", number())
                              .req("tax", number())
                              .req("reason", string())
                              .req("refund", string())
                              .req("created_at", string().format("date-time")))
                      .description(
                          """
                          What the invoice's credit notes credited back of the line (amount, \
                          tax reversed) and why, oldest first; absent when none did. The line \
                          and its records are as invoiced: a note never changes them."""))
              .prop(
                  "discount",
                  object()
                      .req("coupon_id", string())
                      .req("code", string())
                      .req("redeemed_at", string().format("date-time"))
                      .req("redeemed_by", string().orNull())
                      .req("percent_off", number().orNull())
                      .req("amount_off", number().orNull())
                      .req("currency", string().orNull())
                      .req("discounts_line", integer())
                      .req("lines", array(integer()))
                      .req("lines_total", number())
                      .description(
                          """
                          On a `discount` line only: the coupon whose discount it is, the code \
                          it was redeemed with and by whom, its percentage or amount off, the \
                          line this one takes something off, and every line the coupon took \
                          something off on this invoice with what they come to (an amount off \
                          is shared among them)""")));

  /** The CSV's columns: a record each, its events' ids in the last. */
  static final List<String> CSV_COLUMNS =
      List.of(
          "n",
          "source",
          "session_id",
          "member_id",
          "from",
          "to",
          "unit_seconds",
          "quantity",
          "unit",
          "unit_price",
          "amount",
          "subtotal",
          "detail",
          "events_retained",
          "event_ids");

  private final InvoiceRoutes invoices;
  private final LineExplainer explainer;

  public ExplainRoutes(InvoiceRoutes invoices, LineExplainer explainer) {
    this.invoices = invoices;
    this.explainer = explainer;
  }

  public void register(DescribedRoutes routes) {
    routes.add(EXPLAIN, JsonRoute.of(this::explain));
  }

  static final Operation EXPLAIN =
      Operation.get("/invoices/{id}/lines/{n}/explain")
          .orgAdmin()
          .summary(
              """
              Why an invoice line is what it is: its records, down to the journaled events""")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. A Member, a stranger \
              and another organization's invoice are answered as `GET /invoices/{id}` answers them \
              (403 `admin_required` or `not_a_member`, 404).

              Line `n` (from 1, in the invoice's line order) explained by the computation that \
              made it: `line` as on the invoice, `computation` (its rule in a sentence), \
              `record_count`, and a page of `records` (`limit`, `offset`, `next_offset` null on \
              the last; a stable order: for usage, slice start then session). Each record has its \
              `quantity` (in the line's unit, display), `unit_price`, `amount` (its own, rounded \
              half up to the currency's minor unit, `rounding_step`) and `subtotal`: the line's \
              rule applied to the exact sum of the records up to and including it, so the last \
              record's subtotal is the line's amount. `sums` gives the line's amount computed from \
              every record (`total`, `matches_line`), the records' own rounded amounts summed \
              (`sum_of_rounded_records`) and the `rounding_difference` from the line, which rounds \
              the exact sum once (`rounding_rule`). Every kind of line has records: `usage` the \
              usage records the invoice claims at the line's resource and price (`source` \
              `usage_record`, with `session_id`, `from`/`to` the slice and its exact \
              `unit_seconds`); hybrid `overage` of a resource those records per clock hour with \
              overage plus what the plans include of the hour (`plan_allowance`, negative); \
              `overage` of a counter or of seats (`members`) the members' shares stored with a \
              team's invoice (`member_share`), else the line's quantity × price (`counter`, \
              `seats`); `plan_fee` and a recurring `pack` a part per billing period, prorated to \
              the second (`period_part`); a one-time `pack` its price (`pack_charge`); `credit` \
              the credit used (`credit_application`); `discount` the coupon's computation \
              (`coupon`: the discounted line's amount as `quantity`, the percentage as a \
              negative `unit_price`), with `discount` saying which coupon and which lines. A \
              usage record's `events` are its session's \
              journaled events (`id`, `type`, `occurred_at`): the last one at or before the \
              slice's start and those during it. Past the journal's retention (or on a host that \
              keeps no journal) the explanation stops at the usage records: the record's \
              `events_retained` is false, and the answer's `events_retained` false with \
              `events_note` saying so.

              `format=csv`: every record of the line, streamed (RFC 4180, header \
              `n,source,session_id,member_id,from,to,unit_seconds,quantity,unit,unit_price,amount,s\
              ubtotal,detail,events_retained,event_ids`, the event ids space-separated; \
              `Content-Disposition: attachment; filename="invoice-<id>-line-<n>.csv"`). 404 for an \
              unknown invoice (or another organization's) and for a line it does not have.""")
          .params(
              Param.ORG_ID,
              Param.ID,
              Param.path("n", string().pattern("^[0-9]{1,9}$"))
                  .description("the line's number, from 1"),
              Param.LIMIT,
              Param.OFFSET,
              Param.query("format", string().enumOf("json", "csv").defaultValue("json")))
          .answers(
              200,
              Response.of(
                      """
                      the explanation (JSON, a page of records) or every record (CSV, streamed)""")
                  .json(LINE_EXPLANATION)
                  .content("text/csv", string()))
          .errors(400, 404);

  /**
   * 200 with the explanation (JSON, a page of records), or every record as CSV, streamed; 400
   * naming {@code format}, {@code limit} or {@code offset}; 401, 403 and 404 as {@code GET
   * /invoices/{id}}; 404 for a line the invoice does not have.
   */
  Object explain(HttpRequest request) throws Exception {
    WithLines document = invoices.invoice(request);
    long n = PathId.of(request, "n", "line");
    Line line =
        document.lines().stream()
            .filter(l -> l.lineNo() == n)
            .findFirst()
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "invoice " + document.invoice().id() + " has no line " + n));
    String format = QueryParams.of(request, "format").orElse("json");
    if ("csv".equals(format)) {
      return HttpResponse.streamed(
          HttpStatus.OK,
          ReportFormat.CSV.contentType(),
          Map.of(
              "Content-Disposition",
              "attachment; filename=\"invoice-%d-line-%d.csv\""
                  .formatted(document.invoice().id(), n)),
          out -> {
            CSVPrinter printer = ReportFormat.csvPrinter(out, CSV_COLUMNS);
            try {
              explainer.forEachRecord(document, line, r -> print(printer, r));
            } catch (UncheckedIOException e) {
              throw e.getCause();
            }
            printer.close(true); // flushes; the host closes the stream
          });
    }
    if (!"json".equals(format)) {
      throw ApiException.badParameter("format", "format must be json or csv");
    }
    Page page = Page.of(request);
    return explainer.explain(document, line, page.offset(), page.limit());
  }

  private static void print(CSVPrinter printer, ExplainedRecord r) {
    List<Object> values = new ArrayList<>();
    values.add(r.n());
    values.add(r.source());
    values.add(ReportFormat.inert(r.sessionId()));
    values.add(ReportFormat.inert(r.memberId()));
    values.add(text(r.from()));
    values.add(text(r.to()));
    values.add(text(r.unitSeconds()));
    values.add(text(r.quantity()));
    values.add(r.unit());
    values.add(text(r.unitPrice()));
    values.add(text(r.amount()));
    values.add(text(r.subtotal()));
    values.add(ReportFormat.inert(r.detail()));
    values.add(r.eventsRetained() == null ? "" : r.eventsRetained().toString());
    values.add(
        ReportFormat.inert(
            r.events().stream().map(ExplainedRecord.Event::id).collect(Collectors.joining(" "))));
    try {
      printer.printRecord(values);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(BigDecimal value) {
    return value == null ? "" : value.toPlainString();
  }

  private static String text(Instant value) {
    return value == null ? "" : value.toString();
  }
}
