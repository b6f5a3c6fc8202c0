package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.any;
import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.corrections.CorrectionRefused;
import io.streamspace.billing.corrections.CorrectionRequest;
import io.streamspace.billing.corrections.CorrectionView;
import io.streamspace.billing.corrections.Corrections;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.List;
import java.util.function.Supplier;

/**
 * Usage corrections: {@code POST /admin/corrections} corrects accepted usage (or, with {@code
 * preview=true}, answers what it would change, changing nothing), {@code GET /corrections} shows
 * an organization what corrections changed of its usage, why, and the money.
 */
public final class CorrectionRoutes {

  // the bodies and answers of these routes

  static final Schema CORRECTION_REQUEST =
      Schema.component(
          "CorrectionRequest",
          object()
              .req(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          "why (required of an admin): kept with it, shown to the customer"))
              .req(
                  "items",
                  array(
                      object()
                          .prop("cancel", object().req("event_id", string()))
                          .prop(
                              "amend",
                              object()
                                  .prop("session_id", string())
                                  .prop("from", string().format("date-time"))
                                  .prop("to", string().format("date-time"))
                                  .prop("cpu_cores", number())
                                  .prop("memory_gb", number())
                                  .prop("storage_gb", number())
                                  .prop("resources", object().additionalProperties(number()))
                                  .prop("event_id", string())
                                  .prop("quantity", number()))
                          .prop("backfill", object().req("events", array(any())))
                          .description("exactly one of cancel, amend, backfill"))));

  static final Schema CORRECTION =
      Schema.component(
          "Correction",
          object()
              .req("id", integer().orNull().description("null for a preview"))
              .req("reason", string())
              .req("status", string().enumOf("preview", "recorded", "applied"))
              .req("created_at", string().format("date-time"))
              .req("applied_at", string().orNull().format("date-time"))
              .req(
                  "items",
                  array(
                      object()
                          .req("item", integer())
                          .req("kind", string().enumOf("cancel", "amend", "backfill"))
                          .req("org_id", string())
                          .req("event_id", string().orNull())
                          .req("session_id", string().orNull())
                          .req("from", string().orNull())
                          .req("to", string().orNull())
                          .req("cpu_cores", number().orNull())
                          .req("memory_gb", number().orNull())
                          .req("storage_gb", number().orNull())
                          .req("resources", object().orNull())
                          .req("quantity", number().orNull())
                          .req("event_type", string().orNull())
                          .req("occurred_at", string().orNull())))
              .req(
                  "invoices",
                  array(
                      object()
                          .req("org_id", string())
                          .req("invoice_id", integer().orNull())
                          .req("invoice_number", string().orNull())
                          .req("period_start", string().format("date-time"))
                          .req("period_end", string().format("date-time"))
                          .req("currency", string())
                          .req(
                              "outcome",
                              string()
                                  .enumOf(
                                      "on_invoice",
                                      "credit_note",
                                      "correction_line",
                                      "credit_note_and_correction_line",
                                      "no_change"))
                          .req("before", number())
                          .req("after", number())
                          .req("difference", number())
                          .req("lines", array(object()))
                          .req(
                              "credit_note",
                              object()
                                  .orNull()
                                  .req("amount", number())
                                  .req("lines", object())
                                  .req("credit_note_id", integer().orNull())
                                  .req("status", string().enumOf("issued", "pending"))
                                  .req(
                                      "account_credit",
                                      number()
                                          .description(
                                              "what the invoice could not hold: an account"
                                                  + " credit its next invoices consume"))
                                  .req("credit_id", integer().orNull()))
                          .req(
                              "correction_lines",
                              array(
                                  object()
                                      .req("id", integer())
                                      .req("description", string())
                                      .req("amount", number())
                                      .req("invoice_id", integer().orNull()))))));

  static final Schema CORRECTIONS =
      Schema.component(
          "Corrections", object().req("org_id", string()).req("corrections", array(CORRECTION)));

  /** An organization's corrections, newest first. */
  record Listed(String orgId, List<CorrectionView> corrections) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Corrections corrections;
  private final Supplier<BillingConfig> config;

  public CorrectionRoutes(
      OrgAccess access,
      AccountRepository accounts,
      Corrections corrections,
      Supplier<BillingConfig> config) {
    this.access = access;
    this.accounts = accounts;
    this.corrections = corrections;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(CORRECT, JsonRoute.of(this::correct));
    routes.add(LIST, JsonRoute.of(this::list));
  }

  static final Operation CORRECT =
      Operation.post("/admin/corrections")
          .admin()
          .summary("Correct accepted usage (or preview what a correction changes)")
          .description(
              """
              Who: admin. 422 idempotency_key_reused.

              `{"reason","items":[…]}`, each item one of `{"cancel":{"event_id"}}` (a usage \
              report, or a session event that reported sizes: what it stored no longer counts), \
              `{"amend":{"session_id","from","to","cpu_cores"?,"memory_gb"?,"storage_gb"?,\
              "resources"?}}` (the session's sizes over `[from, to)`, rated time only), \
              `{"amend":{"event_id","quantity"}}` (a usage report's quantity), \
              `{"backfill":{"events":[…]}}` (events older than the late-event grace, \
              `sessionHeartbeatTimeoutMinutes`, in intake's shape: session.created, \
              session.heartbeat, session.terminated, usage.reported) → 201 `{"id","reason",\
              "status","created_at","applied_at","items":[…],"invoices":[{"org_id",\
              "invoice_id","invoice_number","period_start","period_end","currency","outcome",\
              "before","after","difference","lines","credit_note","correction_lines"}]}`: each \
              organization's invoices whose charges before credits it changed, priced by the \
              invoice's own code without and with it. A period not invoiced bills the corrected \
              usage (`on_invoice`); a finalized one is never changed: what costs less becomes a \
              credit note on it (what the invoice no longer holds of it: an account credit, \
              `credit_note.account_credit`), what costs more a correction line on the \
              organization's next invoice. `preview=true` → 200 with the same answer (`id` null, \
              `status` `preview`), nothing changed: what applying it now would do, to the cent. \
              400 naming the item and field (`items[1].amend.to`), nothing changed: a missing or \
              bad member, an event billing stored no usage from or cancelled already, a range not \
              rated yet, a backfilled event within the grace or accepted already, an organization \
              without an account. A retry with the first request's `Idempotency-Key` answers that \
              correction again (and finishes it if a failure stopped it part way; a node killed \
              meanwhile leaves the key in progress at the host, 409, and the next \
              calculate-usage run finishes it); the same key with another body is 422 \
              `idempotency_key_reused`. Writes an audit entry per organization \
              (`usage.corrected`) and sends `billing.usage.corrected`. \
              docs/correcting-usage-and-invoices.md""")
          .params(
              Param.IDEMPOTENCY_KEY,
              Param.query("preview", bool()).description("answer what it would change only"))
          .body(CORRECTION_REQUEST)
          .answers(201, CORRECTION)
          .answers(200, CORRECTION)
          .errors(400)
          .answers(
              422,
              Response.refusal("idempotency_key_reused: the key was used for another correction"));

  /** 201 with the correction applied; 200 with a preview; 400 naming the field; 422. */
  HttpResponse correct(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    boolean preview = preview(request);
    JsonNode body = Json.readObject(request);
    String reason = AuditCauses.requiredReason(body);
    String requestId = request.header(AuditCauses.REQUEST_ID_HEADER).orElse(null);
    String source =
        request
            .header(Param.IDEMPOTENCY_KEY_HEADER)
            .map(key -> Corrections.Asked.keyed(admin.userId(), key))
            .orElseGet(() -> Corrections.Asked.once(admin.userId()));
    Corrections.Asked asked = new Corrections.Asked(admin.userId(), requestId, source);
    try {
      CorrectionRequest correction = CorrectionRequest.parse(reason, body.get("items"));
      return preview
          ? Json.ok(corrections.preview(correction, asked))
          : Json.created(corrections.correct(correction, asked));
    } catch (CorrectionRefused e) {
      throw ApiException.badParameter(e.field(), e.getMessage());
    } catch (Corrections.KeyReused e) {
      throw new ApiException(
          HttpStatus.UNPROCESSABLE_CONTENT, "idempotency_key_reused", e.getMessage());
    }
  }

  static final Operation LIST =
      Operation.get("/corrections")
          .orgAdmin()
          .summary("The organization's usage corrections, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","corrections":[…]}`: its latest 100 corrections, newest first, each \
              as `POST /admin/corrections` answers it with only the organization's own items \
              and invoices: what changed (`items`), why (`reason`), and the money per invoice \
              (`invoices`: `before`, `after`, `difference`, the lines that changed, the credit \
              note and the correction lines). 404 for an unknown organization (platform \
              admin).""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, CORRECTIONS)
          .errors(404);

  /** 200 with the organization's corrections; 401; 403 as {@link OrgAccess} decides; 404. */
  Listed list(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    return new Listed(subject.orgId(), corrections.ofOrganization(subject.orgId()));
  }

  private static boolean preview(HttpRequest request) throws ApiException {
    String value = request.queryParam("preview").orElse("false");
    if (!value.equals("true") && !value.equals("false")) {
      throw ApiException.badParameter("preview", "preview must be true or false");
    }
    return value.equals("true");
  }
}
