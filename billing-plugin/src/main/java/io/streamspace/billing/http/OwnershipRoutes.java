package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.OwnershipTransfer;
import io.streamspace.billing.account.OwnershipTransfers;
import io.streamspace.billing.account.OwnershipTransfers.Refused;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.Map;

/**
 * {@code POST /ownership-transfer {"org_id","user_id"}}: the Owner of a team organization makes
 * another member its Owner and becomes an Admin, in one call ({@link OwnershipTransfers}). A
 * retry with the same {@code Idempotency-Key} answers the first transfer again (the host keeps
 * the answer); without one, a second call is refused, as the caller is no longer the Owner.
 */
public final class OwnershipRoutes {

  private static final String USER_ID = "user_id";

  private final OrgAccess access;
  private final OwnershipTransfers transfers;

  public OwnershipRoutes(OrgAccess access, OwnershipTransfers transfers) {
    this.access = access;
    this.transfers = transfers;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/ownership-transfer", JsonRoute.of(this::transfer));
  }

  /**
   * 200 with the transfer; 400 {@code invalid_json}, or naming {@code user_id} (missing, not a
   * member, an Owner already) or {@code org_id} (not a string, a personal organization), nothing
   * changed; 401; 403 as {@link OrgAccess} decides for the Owner ({@code owner_required} also
   * when another transfer made the caller an Admin meanwhile); 404 for an organization without a
   * billing account; 409 {@code membership_changed_later} when a role event of one of the
   * members is at or after this instant.
   */
  OwnershipTransfer transfer(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId =
        access.organizationNamed(request, OrgAccess.orgIdOf(body), MemberRole.OWNER).id();
    String newOwner = Json.requiredText(body, USER_ID);
    try {
      return transfers.transfer(
          orgId, newOwner, caller.userId(), caller.isAdmin(), AuditCauses.ofCaller(request, body));
    } catch (Refused e) {
      throw refusal(e);
    }
  }

  private static ApiException refusal(Refused e) {
    return switch (e.reason()) {
      case NO_ACCOUNT -> ApiException.notFound(e.getMessage());
      case PERSONAL -> ApiException.badParameter(OrgAccess.ORG_ID, e.getMessage());
      case OWNER_REQUIRED ->
          new ApiException(HttpStatus.FORBIDDEN, "owner_required", e.getMessage());
      case NOT_A_MEMBER, ALREADY_OWNER -> ApiException.badParameter(USER_ID, e.getMessage());
      case CHANGED_LATER ->
          ApiException.conflict("membership_changed_later", e.getMessage(), Map.of());
    };
  }
}
