package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

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
import io.streamspace.plugin.api.http.HttpRequest;
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

  // the bodies and answers of these routes

  static final Schema INVOICE_CREATE =
      Schema.component(
          "InvoiceCreate",
          object()
              .req("user_id", string())
              .req("period_start", string())
              .req("period_end", string())
              .req(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          """
                          why (required of an admin): kept with the change in the audit trail""")));

  static final Schema INVOICE_PATCH =
      Schema.component(
          "InvoicePatch",
          object()
              .req("status", string().enumOf("paid", "void"))
              .prop(
                  "note",
                  string()
                      .description("the former name of reason, still read when reason is absent"))
              .req(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          """
                          why (required of an admin): kept with the change in the audit trail""")));

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

  public void register(DescribedRoutes routes) {
    routes.add(CREATE, JsonRoute.creating(this::create));
    routes.add(PATCH, JsonRoute.of(this::patch));
  }

  static final Operation CREATE =
      Operation.post("/admin/invoices")
          .admin()
          .summary("Create and finalize an invoice now")
          .description(
              """
              Who: admin. 409 invoice_exists or earlier_draft with invoice_id.

              `{"user_id","period_start","period_end","reason"}` (dates = midnight in the billing \
              zone, or instants) → 201 with the invoice, finalized now with credits applied. 400 \
              naming the field when missing or bad (`reason` once the period is valid), \
              `period_end` when not after the start or in the future; 404 for an unknown user; 409 \
              `{"error":{"code":"invoice_exists",...,"invoice_id"}}` when the account has a \
              non-void invoice overlapping the period (concurrent identical requests: one 201, the \
              others 409). 409 `earlier_draft` with `invoice_id` when the account has a draft (an \
              account's invoices are finalized in the order they were opened: this one would bill \
              that draft's usage; it is finalized after its grace, or can be voided). A retry with \
              the first request's `Idempotency-Key` answers that invoice again. Writes its entry \
              in the audit trail (`GET /admin/audit`) in the same transaction; a request's \
              `X-Request-Id` header is kept with it.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(INVOICE_CREATE)
          .answers(201, Schemas.INVOICE)
          .errors(400, 404, 409);

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
    String orgId = Json.requiredText(body, "user_id");
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
            .find(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + orgId));
    try {
      return shown(
          finalizer
              .invoiceNow(
                  orgId,
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

  static final Operation PATCH =
      Operation.patch("/admin/invoices/{id}")
          .admin()
          .summary("Mark an invoice paid or void")
          .description(
              """
              Who: admin. 409 invalid_transition, refund_credit_used.

              `{"status":"paid"|"void","reason"}` (reason required; `note`, its former name, is \
              still read) → 200 with the invoice. 409 `invalid_transition` when its status does \
              not allow it, and for a void of an invoice with credit notes (what they gave back \
              would be given back again: credit what it still holds instead); 409 \
              `refund_credit_used` (`credit_id`) when a void would give back \
              twice what the credit a refund of one of its store purchases granted has paid of \
              other invoices (void those first), nothing changed; a void forfeits such a credit's \
              whole remainder (`credit.revoked`); 400 for a bad body; 404 for an unknown id or one \
              that is not ASCII digits. Paying or voiding the account's last invoice overdue past \
              its grace unlocks the account at once. Writes its entry in the audit trail (`GET \
              /admin/audit`) in the same transaction; a request's `X-Request-Id` header is kept \
              with it.""")
          .params(Param.ID)
          .body(INVOICE_PATCH)
          .answers(200, Schemas.INVOICE)
          .errors(400, 404, 409);

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
    String reason = AuditCauses.requiredReasonOrNote(body);
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
