package io.streamspace.billing.http;

import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.account.Memberships.Organization;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /organizations}: the organizations the caller belongs to and their role in each, so
 * that a page can offer them and show each what the role allows. Any authenticated caller, about
 * themselves only (a platform admin included: the admin page lists every organization). A role
 * the caller's token names for an organization wins over the events, as {@link OrgAccess} has it.
 */
public final class OrganizationRoutes {

  /** The JSON body: the caller's user id and their organizations, the personal one first. */
  record OrganizationsJson(String userId, List<OrganizationJson> organizations) {}

  /** One organization; {@code role} as its wire name ({@code owner}, {@code admin}...). */
  record OrganizationJson(
      String orgId,
      String name,
      boolean personal,
      String role,
      String planId,
      String planName,
      String currency,
      int members) {

    static OrganizationJson of(Organization o) {
      MemberRole role = o.role();
      return new OrganizationJson(
          o.orgId(),
          o.name(),
          o.personal(),
          role.wireName(),
          o.planId(),
          o.planName(),
          o.currency(),
          o.members());
    }
  }

  private final Memberships memberships;

  public OrganizationRoutes(Memberships memberships) {
    this.memberships = memberships;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/organizations", JsonRoute.of(this::organizations));
  }

  /** 200 with the caller's organizations; 401 without a caller. */
  OrganizationsJson organizations(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    Map<String, MemberRole> claimed = OrgAccess.claimedRoles(caller);
    return new OrganizationsJson(
        caller.userId(),
        memberships.organizationsOf(caller.userId(), claimed).stream()
            .map(OrganizationJson::of)
            .toList());
  }
}
