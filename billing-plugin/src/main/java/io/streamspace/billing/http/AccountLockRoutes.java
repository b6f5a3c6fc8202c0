package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.events.AccountHoldChanged;
import io.streamspace.billing.hold.Hold;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.util.Map;

/** {@code POST /admin/users/{user_id}/unlock}: an admin lifts the read-only lock by hand. */
public final class AccountLockRoutes {

  private final AccountRepository accounts;
  private final PaymentLock lock;

  public AccountLockRoutes(AccountRepository accounts, PaymentLock lock) {
    this.accounts = accounts;
    this.lock = lock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/admin/users/{user_id}/unlock", JsonRoute.of(this::unlock));
  }

  /**
   * {@code {"reason"}} (required: why; {@code note}, its former name, is still read): 200 with
   * the lifted lock, as {@code billing.account.unlocked} tells it; the invoices overdue now
   * lock the account no more ({@link PaymentLock#unlock}). 400 naming {@code reason}; 404 for a
   * user without an account; 409 {@code not_locked} when the account is not locked (nothing
   * changed); 401/403 unless admin.
   */
  AccountHoldChanged unlock(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    String userId = request.pathParam("user_id");
    JsonNode body = Json.readObject(request);
    String reason = AuditCauses.requiredReason(body);
    if (accounts.find(userId).isEmpty()) {
      throw ApiException.notFound("no billing account for user " + userId);
    }
    return lock.unlock(userId, AuditCauses.admin(request, admin, reason))
        .map(Hold::event)
        .orElseThrow(
            () ->
                ApiException.conflict(
                    "not_locked", "the account of " + userId + " is not locked", Map.of()));
  }
}
