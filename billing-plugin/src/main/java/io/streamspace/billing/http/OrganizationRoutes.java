package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.account.Memberships.Organization;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /organizations}: the organizations the caller belongs to and their role in each, so
 * that a page can offer them and show each what the role allows. Any authenticated caller, about
 * themselves only (a platform admin included: the admin page lists every organization). A role
 * the caller's token names for an organization wins over the events, as {@link OrgAccess} has it.
 */
public final class OrganizationRoutes {

  // the bodies and answers of these routes

  static final Schema ORGANIZATIONS =
      Schema.component(
          "Organizations",
          object()
              .req("user_id", string().description("the caller"))
              .req(
                  "organizations",
                  array(
                      object()
                          .req("org_id", string())
                          .req(
                              "name",
                              string().orNull().description("a team's name, from its org.created"))
                          .req(
                              "personal",
                              bool()
                                  .description(
                                      "the caller's personal organization (its id is theirs)"))
                          .req("role", string().enumOf("owner", "admin", "member"))
                          .req(
                              "plan_id",
                              string()
                                  .orNull()
                                  .description(
                                      """
                                      the plan of its active subscription; null while it has no \
                                      account yet"""))
                          .req("plan_name", string().orNull())
                          .req("currency", string().orNull())
                          .req(
                              "members",
                              integer()
                                  .description(
                                      "its members now; 1 for a personal organization")))));

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

  public void register(DescribedRoutes routes) {
    routes.add(ORGANIZATIONS_ROUTE, JsonRoute.of(this::organizations));
  }

  static final Operation ORGANIZATIONS_ROUTE =
      Operation.get("/organizations")
          .authenticated()
          .summary(
              """
              The organizations the caller belongs to, with their role in each""")
          .description(
              """
              Who: any authenticated caller, about themselves only (a platform admin too: \
              /admin/users lists every organization). The caller's personal organization first \
              (always listed, as they are its owner even before its account opens), then the team \
              organizations they are a member of now, by id: as the organization events have it, \
              or in the role the caller's token names for an organization (its orgs claim), which \
              wins for that organization, as it does for every route (never for a personal \
              organization).

              The caller's organizations and role in each, for the page to choose from.""")
          .answers(200, ORGANIZATIONS);

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
