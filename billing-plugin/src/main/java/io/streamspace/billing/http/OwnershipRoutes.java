package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.OwnershipTransfer;
import io.streamspace.billing.account.OwnershipTransfers;
import io.streamspace.billing.account.OwnershipTransfers.Refused;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.Map;

/**
 * {@code POST /ownership-transfer {"org_id","user_id"}}: the Owner of a team organization makes
 * another member its Owner and becomes an Admin, in one call ({@link OwnershipTransfers}). A
 * retry with the same {@code Idempotency-Key} answers the first transfer again (the host keeps
 * the answer); without one, a second call is refused, as the caller is no longer the Owner.
 */
public final class OwnershipRoutes {

  // the bodies and answers of these routes

  static final Schema OWNERSHIP_TRANSFER_REQUEST =
      Schema.component(
          "OwnershipTransferRequest",
          object()
              .req("org_id", Schemas.ORG_ID)
              .req("user_id", string().description("the member who becomes the owner")));

  static final Schema OWNERSHIP_TRANSFER =
      Schema.component(
          "OwnershipTransfer",
          object()
              .req("org_id", string())
              .req("user_id", string().description("the new owner"))
              .req(
                  "previous_owners",
                  array(string()).description("the owners who handed it over, admins from then on"))
              .req(
                  "transferred_by",
                  string().description("the caller: the previous owner, or a platform admin"))
              .req(
                  "transferred_at",
                  string()
                      .format("date-time")
                      .description("the instant of both role changes (event time)")));

  private static final String USER_ID = "user_id";

  private final OrgAccess access;
  private final OwnershipTransfers transfers;

  public OwnershipRoutes(OrgAccess access, OwnershipTransfers transfers) {
    this.access = access;
    this.transfers = transfers;
  }

  public void register(DescribedRoutes routes) {
    routes.add(TRANSFER, JsonRoute.of(this::transfer));
  }

  static final Operation TRANSFER =
      Operation.post("/ownership-transfer")
          .owner()
          .summary(
              """
              Transfer a team organization's ownership to one of its members""")
          .description(
              """
              Who: the organization's owner; a platform admin (who hands it over for every owner). \
              In one transaction, at one instant: the member `user_id` becomes the owner and the \
              caller (a platform admin: every owner) becomes an admin, recorded as two \
              `org.member_role_changed` events with the plugin's ids \
              (`billing:ownership-transfer:<org_id>:<instant>:<user_id>`), ordered by event time \
              with the platform's. Published as event `billing.org.ownership_transferred` with the \
              answer's JSON, for the platform to mirror. A retry with the first call's \
              Idempotency-Key answers that transfer again; without one, the former owner is \
              refused 403 `owner_required`. 400 naming `user_id` (missing, not a member, an owner \
              already) or `org_id` (a personal organization), nothing changed; 409 \
              `membership_changed_later` when a role event of the new or old owner is at or after \
              the transfer's instant.

              `{"org_id","user_id"}`: the member `user_id` becomes the Owner of team organization \
              `org_id` and the caller an Admin (the admin: every Owner) at one instant; 200 \
              `{"org_id","user_id","previous_owners","transferred_by","transferred_at"}` and event \
              `billing.org.ownership_transferred` (that JSON). 400 naming `user_id` (missing, not \
              a member, an Owner already) or `org_id` (a personal organization), nothing changed; \
              403 `owner_required`, `not_a_member`; 404 for an organization without an account; \
              409 `membership_changed_later`.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(OWNERSHIP_TRANSFER_REQUEST)
          .answers(200, OWNERSHIP_TRANSFER)
          .errors(400, 404, 409);

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
