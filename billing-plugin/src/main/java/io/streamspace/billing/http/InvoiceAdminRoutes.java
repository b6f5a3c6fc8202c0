package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.EarlierDraftException;
import io.streamspace.billing.invoicing.IllegalTransitionException;
import io.streamspace.billing.invoicing.InvoiceExistsException;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceQueries;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.invoicing.RefundCreditUsedException;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Admin routes over invoices: {@code POST /admin/invoices} invoices an account for a period now,
 * {@code PATCH /admin/invoices/{id}} marks one paid or voids it.
 */
public final class InvoiceAdminRoutes {

  private final AccountRepository accounts;
  private final InvoiceQueries invoices;
  private final InvoiceFinalizer finalizer;
  private final InvoiceStatusChanges statusChanges;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public InvoiceAdminRoutes(
      AccountRepository accounts,
      InvoiceQueries invoices,
      InvoiceFinalizer finalizer,
      InvoiceStatusChanges statusChanges,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.accounts = accounts;
    this.invoices = invoices;
    this.finalizer = finalizer;
    this.statusChanges = statusChanges;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/admin/invoices", JsonRoute.creating(this::create));
    routes.add(HttpMethod.PATCH, "/admin/invoices/{id}", JsonRoute.of(this::patch));
  }

  /**
   * {@code {"user_id", "period_start", "period_end", "reason"}} (ISO dates, midnight in the
   * billing zone, or instants; the reason is kept in the audit trail): 201 with the finalized
   * invoice, credits applied; 400 naming the field that is missing or bad, or {@code
   * period_end} when it is not after the start or in the future; 404 for a user without an
   * account; 409 {@code invoice_exists} with {@code invoice_id} when the
   * account has an invoice overlapping the period, 409 {@code earlier_draft} with {@code
   * invoice_id} when it has a draft (finalized first: its usage would otherwise be billed on
   * this invoice); 401/403 unless admin.
   */
  WithLines create(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String userId = Json.requiredText(body, "user_id");
    ZoneId zone = config.get().billingTimeZone();
    Instant start =
        TimeRange.instantOrDate(Json.requiredText(body, "period_start"), "period_start", zone);
    Instant end =
        TimeRange.instantOrDate(Json.requiredText(body, "period_end"), "period_end", zone);
    Instant now = clock.instant();
    if (!start.isBefore(end)) {
      throw ApiException.badParameter("period_end", "period_end must be after period_start");
    }
    if (end.isAfter(now)) {
      // usage after now is not rated yet, and the rest of the period could not be invoiced
      throw ApiException.badParameter("period_end", "period_end must not be in the future");
    }
    String reason = AuditCauses.requiredReason(body);
    Account account =
        accounts
            .find(userId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + userId));
    try {
      return shown(
          finalizer
              .invoiceNow(
                  userId,
                  account.currency(),
                  start,
                  end,
                  now,
                  AuditCauses.admin(request, admin, reason))
              .id());
    } catch (InvoiceExistsException e) {
      Map<String, Object> details = new HashMap<>();
      details.put("invoice_id", e.existingId());
      throw ApiException.conflict("invoice_exists", e.getMessage(), details);
    } catch (EarlierDraftException e) {
      throw ApiException.conflict(
          "earlier_draft", e.getMessage(), Map.of("invoice_id", e.draftId()));
    }
  }

  /**
   * {@code {"status": "paid"|"void", "reason"}} ({@code note}, its former name, is still read):
   * 200 with the invoice; 400 for a bad status or a missing reason; 404 for an unknown invoice
   * (or an id that is not ASCII digits); 409 {@code invalid_transition} when its status does
   * not allow it (only a sent or overdue invoice is paid; a paid or void one is not voided), 409
   * {@code refund_credit_used} when a void would give back twice what a refund's credit paid;
   * 401/403 unless admin.
   */
  WithLines patch(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    long id = PathId.of(request, "id", "invoice");
    JsonNode body = Json.readObject(request);
    InvoiceStatus target =
        InvoiceStatus.parse(Json.requiredText(body, "status"))
            .filter(s -> s == InvoiceStatus.PAID || s == InvoiceStatus.VOID)
            .orElseThrow(() -> ApiException.badParameter("status", "status must be paid or void"));
    String reason = AuditCauses.requiredReason(body);
    try {
      statusChanges
          .change(id, target, reason, clock.instant(), AuditCauses.admin(request, admin, reason))
          .orElseThrow(() -> ApiException.notFound("no invoice " + id));
      return shown(id);
    } catch (IllegalTransitionException e) {
      throw ApiException.conflict(
          "invalid_transition", e.getMessage(), Map.of("status", e.from().value()));
    } catch (RefundCreditUsedException e) {
      throw ApiException.conflict(
          "refund_credit_used", e.getMessage(), Map.of("credit_id", e.creditId()));
    }
  }

  /** The invoice as every route shows it: the same JSON as {@code GET /invoices/{id}}. */
  private WithLines shown(long id) throws Exception {
    return invoices.find(id).orElseThrow();
  }
}
