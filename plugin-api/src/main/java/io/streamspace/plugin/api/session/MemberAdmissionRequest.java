package io.streamspace.plugin.api.session;

import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import java.util.Objects;

/**
 * A member the platform is about to add to an organization ({@code action=add_member} of the
 * host's admission call): asked before the platform sends the {@code org.member_added} that adds
 * them.
 *
 * @param orgId  the organization the member would join
 * @param userId who would join, or null when the platform does not say (a plugin then counts them
 *               as a new member)
 * @param role   the role they would have, or null when not said
 *
 * <p>Stable since 0.3.
 *
 * @since 0.3
 */
public record MemberAdmissionRequest(String orgId, String userId, Role role) {

  public MemberAdmissionRequest {
    Objects.requireNonNull(orgId, "orgId");
  }
}
