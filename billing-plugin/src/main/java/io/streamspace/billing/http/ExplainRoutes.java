package io.streamspace.billing.http;

import io.streamspace.billing.explain.ExplainedRecord;
import io.streamspace.billing.explain.LineExplainer;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/invoices/{id}/lines/{n}/explain", JsonRoute.of(this::explain));
  }

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
