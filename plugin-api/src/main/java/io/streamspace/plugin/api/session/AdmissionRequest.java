package io.streamspace.plugin.api.session;

import io.streamspace.plugin.api.event.BilledOrganization;
import io.streamspace.plugin.api.event.ResourceSize;
import java.util.Objects;

/**
 * A session the platform is about to create.
 *
 * @param userId    who asks
 * @param sessionId the id the session will have, or null if not yet known
 * @param resources what it will hold
 * @param orgId     the organization it will run under, or null for the user's personal one.
 *                  Since 0.3.
 *
 * <p>Stable since 0.1.
 */
public record AdmissionRequest(
    String userId, String sessionId, ResourceSize resources, String orgId) {

  public AdmissionRequest {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(resources, "resources");
  }

  /** A session of the user's personal organization, as before 0.3. */
  public AdmissionRequest(String userId, String sessionId, ResourceSize resources) {
    this(userId, sessionId, resources, null);
  }

  /**
   * The organization the session would be billed to: {@link #orgId()}, else the user's personal
   * organization, whose id is {@link #userId()} ({@link BilledOrganization#of}), as for the
   * session's events. Not part of the request's wire format.
   *
   * @since 0.3
   */
  public String billedOrgId() {
    return BilledOrganization.of(orgId, userId);
  }
}
