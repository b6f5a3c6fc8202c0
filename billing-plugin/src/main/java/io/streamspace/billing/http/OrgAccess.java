package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.event.BilledOrganization;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Authorization by organization: which organization a request acts on, and whether the caller's
 * role in it allows what the route does. The organization is the one {@code org_id} names (a
 * query parameter, or a member of the body), else the caller's personal organization, as before
 * organizations. A platform admin may act on any organization, and may still name a user's
 * personal organization by {@code user_id}; anyone else needs a membership (platform tokens
 * included: they are members of nothing but their own personal organization).
 *
 * <p>Memberships come from the platform's organization events, and from the platform's sign-in
 * token: a role its {@code orgs} claim names for the organization ({@link Caller#memberships()})
 * wins for that request; an organization the token does not name is decided by the events. The
 * claim is signed by the platform, the source of truth, when the token was issued, while its
 * events may lag behind (a new member's first request may come before their
 * {@code org.member_added}). So a removed member keeps the role their token names until it
 * expires, as the platform's own sign-in does. Only a verified platform JWT carries claims: a
 * host's own token (an admin's, a user's) names none, and a claim never counts for a personal
 * organization ({@link Memberships#roleOf(String, String, Optional)}).
 */
public final class OrgAccess {

  static final String ORG_ID = "org_id";
  static final String USER_ID = "user_id";

  private final Memberships memberships;

  public OrgAccess(Memberships memberships) {
    this.memberships = memberships;
  }

  /**
   * The organization named by the query's {@code org_id} (or an admin's {@code user_id}),
   * if the caller's role in it includes {@code required}.
   *
   * @throws ApiException 401 without a caller; 403 {@code not_a_member}, {@code owner_required}
   *     or {@code admin_required}
   */
  public SubjectOrg organization(HttpRequest request, MemberRole required)
      throws ApiException, SQLException {
    return organization(
        request,
        QueryParams.of(request, ORG_ID).orElse(null),
        QueryParams.of(request, USER_ID).orElse(null),
        required);
  }

  /**
   * As {@link #organization(HttpRequest, MemberRole)}, named by the body's {@code org_id} (or
   * an admin's {@code user_id}).
   *
   * @throws ApiException 400 naming {@code org_id} or {@code user_id} when it is not a string
   */
  public SubjectOrg organization(HttpRequest request, JsonNode body, MemberRole required)
      throws ApiException, SQLException {
    return organization(request, text(body, ORG_ID), text(body, USER_ID), required);
  }

  /**
   * As {@link #organization(HttpRequest, MemberRole)} for a read of one member's own figures in
   * it: the member themselves may make it, as may the organization's Admins and Owner and a
   * platform admin; another Member may not.
   *
   * @throws ApiException 401 without a caller; 403 {@code not_a_member}, or {@code
   *     admin_required} for a Member naming someone else
   */
  public SubjectOrg organizationForMember(HttpRequest request, String memberId)
      throws ApiException, SQLException {
    SubjectOrg org = organization(request, MemberRole.MEMBER);
    Caller caller = Access.authenticated(request);
    if (caller.isAdmin()
        || memberId.equals(caller.userId())
        || org.role().includes(MemberRole.ADMIN)) {
      return org;
    }
    throw refused("admin_required", "a member may read only their own usage");
  }

  /**
   * As {@link #organization(HttpRequest, MemberRole)}, named by {@code orgId} alone (a query
   * parameter or a body member the route read): for a route whose {@code user_id} names a member
   * of the organization, not the organization.
   */
  public SubjectOrg organizationNamed(HttpRequest request, String orgId, MemberRole required)
      throws ApiException, SQLException {
    return organization(request, orgId, null, required);
  }

  /** The body's {@code org_id}, when it has one; 400 naming it when it is not a string. */
  static String orgIdOf(JsonNode body) throws ApiException {
    return text(body, ORG_ID);
  }

  private SubjectOrg organization(
      HttpRequest request, String orgId, String userId, MemberRole required)
      throws ApiException, SQLException {
    Caller caller = Access.authenticated(request);
    if (orgId != null && userId != null && !orgId.equals(userId)) {
      throw ApiException.badParameter(ORG_ID, "name the organization by org_id or user_id");
    }
    String named = BilledOrganization.of(orgId, userId);
    String id = named == null ? caller.userId() : named;
    // a user_id names a user's personal organization: only an admin acts on another user's
    boolean anotherUser = orgId == null && userId != null && !userId.equals(caller.userId());
    Optional<MemberRole> role =
        anotherUser
            ? Optional.empty()
            : memberships.roleOf(id, caller.userId(), claimed(caller, id));
    if (caller.isAdmin()) {
      return new SubjectOrg(id, role.orElse(null));
    }
    if (role.isEmpty()) {
      throw refused("not_a_member", "you are not a member of organization " + id);
    }
    if (!role.get().includes(required)) {
      throw required == MemberRole.OWNER
          ? refused("owner_required", "only the organization's owner may do this")
          : adminRequired();
    }
    return new SubjectOrg(id, role.get());
  }

  /** The roles the caller's token names, by organization (those the plugin knows). */
  static Map<String, MemberRole> claimedRoles(Caller caller) {
    Map<String, MemberRole> claimed = new HashMap<>();
    caller
        .memberships()
        .forEach(
            (orgId, role) ->
                MemberRole.fromWire(role.wireName()).ifPresent(r -> claimed.put(orgId, r)));
    return claimed;
  }

  /** The role the caller's token names for the organization, if it names one. */
  private static Optional<MemberRole> claimed(Caller caller, String orgId) {
    return Optional.ofNullable(caller.memberships().get(orgId))
        .flatMap(role -> MemberRole.fromWire(role.wireName()));
  }

  private static String text(JsonNode body, String member) throws ApiException {
    JsonNode value = body.get(member);
    if (value != null && !value.isTextual()) {
      throw ApiException.badParameter(member, member + " must be a string");
    }
    return value == null ? null : value.textValue();
  }

  /** 403 {@code admin_required}: the call needs an Admin or the Owner of the organization. */
  static ApiException adminRequired() {
    return refused("admin_required", "an admin or the owner of the organization is required");
  }

  /** 403 with its code; no field: the request is well formed, the caller may not make it. */
  private static ApiException refused(String code, String message) {
    return new ApiException(HttpStatus.FORBIDDEN, code, message);
  }
}
