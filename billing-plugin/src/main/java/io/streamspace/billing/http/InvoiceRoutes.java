package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoicePdf;
import io.streamspace.billing.invoicing.InvoiceQueries;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A user's invoices: {@code GET /invoices} (paginated), {@code GET /invoices/{id}} with its lines
 * and {@code GET /invoices/{id}/pdf} and {@code /csv}: an organization's, for its owner and
 * admins (a platform admin reads any).
 */
public final class InvoiceRoutes {

  // the bodies and answers of these routes

  static final Schema INVOICE_LIST =
      Schema.component(
          "InvoiceList",
          object()
              .req("user_id", string())
              .req("invoices", array(Schemas.INVOICE_SUMMARY))
              .req("next_offset", integer().orNull()));

  /** The JSON body of {@code GET /invoices}. */
  record InvoicesJson(String userId, List<InvoiceView> invoices, Integer nextOffset) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final InvoiceQueries invoices;
  private final Supplier<BillingConfig> config;

  public InvoiceRoutes(
      OrgAccess access,
      AccountRepository accounts,
      InvoiceQueries invoices,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.invoices = invoices;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(LIST, JsonRoute.of(this::list));
    routes.add(INVOICE, JsonRoute.of(this::invoice));
    routes.add(PDF, JsonRoute.of(this::pdf));
    routes.add(CSV, JsonRoute.of(this::csv));
  }

  static final Operation CSV =
      Operation.get("/invoices/{id}/csv")
          .orgAdmin()
          .summary("An invoice as CSV")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. Who: the owner, or an \
              admin.

              `text/csv`, `Content-Disposition: attachment; filename="INV-2026-000042.csv"` \
              (`DRAFT-{id}.csv` for a draft). Columns row, line_no, kind, description, quantity, \
              unit, unit_price, amount, taxable_amount, rate_percentage, jurisdiction, country, \
              state, tax_type, taxability_reason, reverse_charge, currency: a `line` row per \
              invoice line, a `tax` row per tax line, then `total` rows (kind subtotal, tax, \
              total_excluding_tax and total_including_tax when the tax is calculated, \
              credits_applied, balance_applied when the prepaid balance paid some of it, total); \
              the tax row's amount is `Tax not calculated` without a \
              calculated tax. 404 for an unknown id and equally for another user's invoice.""")
          .params(Param.ORG_ID, Param.ID)
          .answers(
              200,
              Response.of("the CSV, as an attachment")
                  .content("text/csv", string())
                  .header("Content-Disposition", string()))
          .errors(404);

  /**
   * 200 {@code text/csv} as an attachment: its lines, tax lines and totals ({@link InvoiceCsv});
   * otherwise as {@link #invoice}.
   */
  HttpResponse csv(HttpRequest request) throws Exception {
    WithLines document = invoice(request);
    return HttpResponse.of(
        HttpStatus.OK,
        ReportFormat.CSV.contentType(),
        InvoiceCsv.render(document),
        Map.of(
            "Content-Disposition",
            "attachment; filename=\""
                + InvoicePdf.fileName(document.invoice()).replaceAll("\\.pdf$", ".csv")
                + "\""));
  }

  static final Operation LIST =
      Operation.get("/invoices")
          .orgAdmin()
          .summary("Invoices, newest period first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"user_id","invoices":[{"id","invoice_number","period_start","period_end","status","\
              currency","subtotal","credits_applied","balance_applied","total","due_date","paid_a\
              t"}],"next_offset"}`\
              , newest period first; `limit` 1–100 (default 20), `offset` ≥ 0, 400 naming the one \
              that is bad; `next_offset` null on the last page. A draft has `invoice_number` \
              null.""")
          .params(Param.ORG_ID, Param.USER_ID, Param.LIMIT, Param.OFFSET)
          .answers(200, INVOICE_LIST)
          .errors(400, 404);

  /**
   * 200 with a page, newest period first; 400 naming {@code limit}/{@code offset}; 401; 403 for
   * as {@link OrgAccess} decides; 404 for an unknown organization (platform admin).
   */
  InvoicesJson list(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    List<InvoiceView> rows = invoices.page(subject.orgId(), page.limit() + 1, page.offset());
    return new InvoicesJson(subject.orgId(), page.rows(rows), page.nextOffset(rows));
  }

  static final Operation PDF =
      Operation.get("/invoices/{id}/pdf")
          .orgAdmin()
          .summary("An invoice as a PDF")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. Who: the owner, or an \
              admin.

              `application/pdf`, `Content-Disposition: attachment; filename="INV-2026-000042.pdf"` \
              (`DRAFT-{id}.pdf` for a draft): account (user id, email), period and due date in the \
              billing zone, number or DRAFT, status, every line, the tax lines (line, \
              jurisdiction, type, rate, reverse charge), subtotal, tax (or "Tax not calculated"), \
              totals excluding and including tax, credits, the prepaid balance applied (when it \
              paid some), total with currency. 404 for an unknown \
              id and equally for another user's invoice.""")
          .params(Param.ORG_ID, Param.ID)
          .answers(
              200,
              Response.of("the PDF, as an attachment")
                  .content("application/pdf", string().contentMediaType("application/pdf"))
                  .header("Content-Disposition", string()))
          .errors(404);

  /** 200 {@code application/pdf} as an attachment; otherwise as {@link #invoice}. */
  HttpResponse pdf(HttpRequest request) throws Exception {
    WithLines document = invoice(request);
    String email = accounts.find(document.invoice().userId()).map(Account::email).orElse(null);
    byte[] pdf = InvoicePdf.render(document, email, config.get().billingTimeZone());
    return HttpResponse.of(
        HttpStatus.OK,
        "application/pdf",
        pdf,
        Map.of(
            "Content-Disposition",
            "attachment; filename=\"" + InvoicePdf.fileName(document.invoice()) + "\""));
  }

  static final Operation INVOICE =
      Operation.get("/invoices/{id}")
          .orgAdmin()
          .summary("An invoice with its lines")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. Who: the owner, or an \
              admin. Another user's invoice is 404 too.

              The invoice with its lines (a draft shows the lines it would have if finalized now); \
              404 for an unknown id and equally for another user's invoice (its existence is not \
              revealed)""")
          .params(Param.ORG_ID, Param.ID)
          .answers(200, Schemas.INVOICE)
          .errors(404);

  /**
   * 200 with the invoice of the {@code id} path parameter and its lines; 401; 403 as {@link
   * #list}; 404 for an unknown id or another organization's invoice (a platform admin reads
   * any): answered exactly like a missing one, so ids reveal nothing.
   */
  WithLines invoice(HttpRequest request) throws Exception {
    SubjectOrg org = access.organization(request, MemberRole.ADMIN);
    long id = PathId.of(request, "id", "invoice");
    ApiException notFound = ApiException.notFound("no invoice " + id);
    WithLines document = invoices.find(id).orElseThrow(() -> notFound);
    if (!request.caller().isAdmin() && !document.invoice().userId().equals(org.id())) {
      throw notFound;
    }
    return document;
  }
}
