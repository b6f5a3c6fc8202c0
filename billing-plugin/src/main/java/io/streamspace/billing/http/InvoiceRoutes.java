package io.streamspace.billing.http;

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
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/invoices", JsonRoute.of(this::list));
    routes.add(HttpMethod.GET, "/invoices/{id}", JsonRoute.of(this::invoice));
    routes.add(HttpMethod.GET, "/invoices/{id}/pdf", JsonRoute.of(this::pdf));
    routes.add(HttpMethod.GET, "/invoices/{id}/csv", JsonRoute.of(this::csv));
  }

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
