package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.creditnotes.CreditNotePdf;
import io.streamspace.billing.creditnotes.CreditNoteRefused;
import io.streamspace.billing.creditnotes.CreditNoteRequest;
import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import io.streamspace.billing.creditnotes.CreditNotes;
import io.streamspace.billing.invoicing.CreditNote;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Credit notes ({@link CreditNotes}): {@code POST /admin/invoices/{id}/credit-notes} issues one
 * (platform admin), a thin layer that reads the body into a {@link CreditNoteRequest}; {@code GET
 * /invoices/{id}/credit-notes/{cn}/pdf} and {@code /csv} show one to whom may read its invoice
 * ({@link InvoiceRoutes#invoice}: the organization's Owner and Admins, a platform admin).
 */
public final class CreditNoteRoutes {

  // the bodies and answers of these routes

  private final InvoiceRoutes invoices;
  private final AccountRepository accounts;
  private final CreditNotes creditNotes;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CreditNoteRoutes(
      InvoiceRoutes invoices,
      AccountRepository accounts,
      CreditNotes creditNotes,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.invoices = invoices;
    this.accounts = accounts;
    this.creditNotes = creditNotes;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(ISSUE, JsonRoute.creating(this::issue));
    routes.add(PDF, JsonRoute.of(this::pdf));
    routes.add(CSV, JsonRoute.of(this::csv));
  }

  static final Operation ISSUE =
      Operation.post("/admin/invoices/{id}/credit-notes")
          .admin()
          .summary("Issue a credit note on a finalized invoice")
          .description(
              """
              Who: admin. 409 invoice_not_creditable, over_credit, payment_in_progress, \
              refund_unavailable.

              `{"lines":[{"line","amount"}]|"amount","reason","refund"}` → 201 with the note \
              (its own gapless number `CN-2026-000001`, as the invoice's `credit_notes` show it). \
              Amounts as the lines are written (before tax when the tax is exclusive); each \
              line's tax is reversed in proportion. On a sent or overdue invoice the note lowers \
              `amount_due` (and what collection charges; the invoice is paid when nothing is \
              left); what lowers nothing due goes back as `refund` says: `balance` (a \
              `credit_note` entry on the prepaid balance), `payment_method` (a Refund of the \
              invoice's payment at Stripe, key `credit-note-{id}`), `none`. Mirrored as a Stripe \
              Credit Note on the invoice's Stripe invoice where there is one. 400 naming the \
              field (`lines[0].line` not a charge line of the invoice, `lines[0].amount` or \
              `amount` not above zero or with more decimals than the currency, both or neither \
              given, `reason`, `refund`); 404 for an unknown invoice; 409 \
              `invoice_not_creditable` (a draft or void one), `over_credit` (`line`, what it \
              still `holds` after earlier notes, `asked`), `payment_in_progress` (a collection \
              attempt is under way at Stripe), `refund_unavailable` (`refundable`); nothing is \
              changed by a refusal. A retry with the first request's `Idempotency-Key` answers \
              that note again (the note keeps the key, so also after the host forgets it); the \
              key on another invoice, or asking other amounts or another refund, is 422 \
              `idempotency_key_reused`. Writes its entry in the \
              audit trail (`credit_note.issued`) in the same transaction; publishes \
              `billing.credit_note.issued`.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .body(CreditNoteBodies.CREDIT_NOTE_CREATE)
          .answers(201, Schemas.CREDIT_NOTE)
          .answers(
              422,
              Response.refusal(
                  "idempotency_key_reused: the key issued another note (another invoice, other"
                      + " amounts or refund)"))
          .errors(400, 404, 409);

  /** 201 with the note; the service's refusals as their statuses. */
  HttpResponse issue(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    long id = PathId.of(request, "id", "invoice");
    JsonNode body = Json.readObject(request);
    CreditNoteBodies.Credit credit = CreditNoteBodies.credit(body);
    String reason = AuditCauses.requiredReason(body);
    Refund refund = CreditNoteBodies.refund(body);
    Cause cause = AuditCauses.admin(request, admin, reason);
    try {
      CreditNote note =
          creditNotes
              .issue(
                  new CreditNoteRequest(
                      id,
                      credit.lines(),
                      credit.amount(),
                      reason,
                      refund,
                      key(request, admin),
                      cause,
                      clock.instant()))
              .note();
      return Json.created(note);
    } catch (CreditNoteRefused e) {
      throw refused(e);
    }
  }

  /**
   * The note's key from the admin's {@code Idempotency-Key}, when they gave one: a name-based
   * UUID of it, so the key itself is never stored.
   */
  private static String key(HttpRequest request, Caller admin) {
    return request
        .header(Param.IDEMPOTENCY_KEY_HEADER)
        .map(
            key ->
                "admin:"
                    + admin.userId()
                    + ":key:"
                    + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)))
        .orElse(null);
  }

  private static ApiException refused(CreditNoteRefused e) {
    return switch (e.kind()) {
      case INVALID -> ApiException.badParameter(e.field(), e.getMessage());
      case NOT_FOUND -> ApiException.notFound(e.getMessage());
      case CONFLICT -> ApiException.conflict(e.code(), e.getMessage(), e.details());
      case KEY_REUSED ->
          new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, e.code(), e.getMessage());
    };
  }

  static final Param CN = Param.path("cn", string().pattern("^[0-9]{1,18}$"));

  static final Operation PDF =
      Operation.get("/invoices/{id}/credit-notes/{cn}/pdf")
          .orgAdmin()
          .summary("A credit note as a PDF")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `application/pdf`, `Content-Disposition: attachment; \
              filename="CN-2026-000001.pdf"`: the note's number and date, the invoice it \
              credits, the account, its reason, every line credited (the invoice line, amount, \
              tax reversed), amount, tax, total, what it lowered of the amount due and how the \
              rest went back. 404 for an unknown invoice or note, or another organization's \
              (exactly as a missing one).""")
          .params(Param.ORG_ID, Param.ID, CN)
          .answers(
              200,
              Response.of("the PDF, as an attachment")
                  .content("application/pdf", string().contentMediaType("application/pdf"))
                  .header("Content-Disposition", string()))
          .errors(404);

  /** 200 {@code application/pdf} as an attachment; otherwise as {@link InvoiceRoutes#invoice}. */
  HttpResponse pdf(HttpRequest request) throws Exception {
    WithLines invoice = invoices.invoice(request);
    CreditNote note = note(request, invoice);
    String email = accounts.find(note.orgId()).map(Account::email).orElse(null);
    return attachment(
        "application/pdf",
        CreditNotePdf.render(note, invoice.invoice(), email, config.get().billingTimeZone()),
        CreditNotePdf.fileName(note));
  }

  static final Operation CSV =
      Operation.get("/invoices/{id}/credit-notes/{cn}/csv")
          .orgAdmin()
          .summary("A credit note as CSV")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `text/csv`, `Content-Disposition: attachment; filename="CN-2026-000001.csv"`. \
              Columns row, line_no, description, amount, tax, currency: a `line` row per line \
              credited, then `total` rows (amount, tax, total, amount_due_lowered, given_back \
              with the refund in description). 404 as the PDF.""")
          .params(Param.ORG_ID, Param.ID, CN)
          .answers(
              200,
              Response.of("the CSV, as an attachment")
                  .content("text/csv", string())
                  .header("Content-Disposition", string()))
          .errors(404);

  /** 200 {@code text/csv} as an attachment; otherwise as {@link #pdf}. */
  HttpResponse csv(HttpRequest request) throws Exception {
    CreditNote note = note(request, invoices.invoice(request));
    return attachment(
        ReportFormat.CSV.contentType(),
        InvoiceCsv.creditNote(note),
        CreditNotePdf.fileName(note).replaceAll("\\.pdf$", ".csv"));
  }

  /** The invoice's note of the {@code cn} path parameter; 404 when it has none of that id. */
  private static CreditNote note(HttpRequest request, WithLines invoice) {
    long id = PathId.of(request, "cn", "credit note");
    return invoice.creditNotes().stream()
        .filter(n -> n.id() == id)
        .findFirst()
        .orElseThrow(() -> ApiException.notFound("no credit note " + id));
  }

  private static HttpResponse attachment(String contentType, byte[] body, String fileName) {
    return HttpResponse.of(
        HttpStatus.OK,
        contentType,
        body,
        Map.of("Content-Disposition", "attachment; filename=\"" + fileName + "\""));
  }
}
