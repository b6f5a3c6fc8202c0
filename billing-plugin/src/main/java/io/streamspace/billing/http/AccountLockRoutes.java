package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.events.AccountHoldChanged;
import io.streamspace.billing.hold.Hold;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.Map;

/** {@code POST /admin/users/{user_id}/unlock}: an admin lifts the read-only lock by hand. */
public final class AccountLockRoutes {

  // the bodies and answers of these routes

  static final Schema UNLOCK =
      Schema.component(
          "Unlock",
          object()
              .req("user_id", string())
              .req("reason", string())
              .req("detail", string().orNull())
              .req("placed_at", string().format("date-time"))
              .req("lifted_at", string().format("date-time"))
              .req("lifted_by", string())
              .req("note", string()));

  static final Schema UNLOCK_REQUEST =
      Schema.component(
          "UnlockRequest",
          object()
              .req(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          """
                          why (required of an admin): kept with the change in the audit trail"""))
              .prop(
                  "note",
                  string()
                      .description("the former name of reason, still read when reason is absent")));

  private final AccountRepository accounts;
  private final PaymentLock lock;

  public AccountLockRoutes(AccountRepository accounts, PaymentLock lock) {
    this.accounts = accounts;
    this.lock = lock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(UNLOCK_ROUTE, JsonRoute.of(this::unlock));
  }

  static final Operation UNLOCK_ROUTE =
      Operation.post("/admin/users/{user_id}/unlock")
          .admin()
          .summary("Lift the read-only lock by hand")
          .description(
              """
              Who: admin. 409 not_locked.

              `{"reason"}` (required; `note`, its former name, is still read) lifts the read-only \
              lock by hand → 200 \
              `{"user_id","reason":"non_payment","detail","placed_at","lifted_at","lifted_by","note\
              "}` (`lifted_by` the admin), as `billing.account.unlocked` tells it; the invoices \
              overdue at that moment lock the account no more. 400 naming `reason`; 404 for a user \
              without an account; 409 `not_locked` when the account is not locked (nothing \
              changes) Writes its entry in the audit trail (`GET /admin/audit`) in the same \
              transaction; a request's `X-Request-Id` header is kept with it.""")
          .params(Param.path("user_id", string()))
          .body(UNLOCK_REQUEST)
          .answers(200, UNLOCK)
          .errors(400, 404, 409);

  /**
   * {@code {"reason"}} (required: why; {@code note}, its former name, is still read): 200 with
   * the lifted lock, as {@code billing.account.unlocked} tells it; the invoices overdue now
   * lock the account no more ({@link PaymentLock#unlock}). 400 naming {@code reason}; 404 for a
   * user without an account; 409 {@code not_locked} when the account is not locked (nothing
   * changed); 401/403 unless admin.
   */
  AccountHoldChanged unlock(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    String orgId = request.pathParam("user_id");
    JsonNode body = Json.readObject(request);
    String reason = AuditCauses.requiredReasonOrNote(body);
    if (accounts.find(orgId).isEmpty()) {
      throw ApiException.notFound("no billing account for user " + orgId);
    }
    return lock.unlock(orgId, AuditCauses.admin(request, admin, reason))
        .map(Hold::event)
        .orElseThrow(
            () ->
                ApiException.conflict(
                    "not_locked", "the account of " + orgId + " is not locked", Map.of()));
  }
}
