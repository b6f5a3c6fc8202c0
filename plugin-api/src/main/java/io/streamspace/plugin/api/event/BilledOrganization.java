package io.streamspace.plugin.api.event;

/**
 * Which organization pays for what a user does: the organization it runs under when one is
 * named, else the user's personal organization, whose id is the user's id. The one statement of
 * that rule, for host and plugins alike: {@link SessionEvent#billedOrgId()}, {@link
 * UsageReport#billedOrgId()} and {@code AdmissionRequest.billedOrgId()} apply it, and so does
 * whatever else names an organization or nothing beside a user (a route's {@code org_id} or
 * {@code user_id}).
 *
 * <p>Stable since 0.3.
 *
 * @since 0.3
 */
public final class BilledOrganization {

  private BilledOrganization() {}

  /**
   * The organization that pays.
   *
   * @param orgId  the organization named, or null for the user's personal one
   * @param userId the user
   * @return {@code orgId} when it is not null, else {@code userId}: the id of the user's personal
   *     organization
   */
  public static String of(String orgId, String userId) {
    return orgId != null ? orgId : userId;
  }
}
