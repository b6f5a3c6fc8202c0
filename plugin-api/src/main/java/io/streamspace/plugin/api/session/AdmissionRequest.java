package io.streamspace.plugin.api.session;

import io.streamspace.plugin.api.event.ResourceSize;
import java.util.Objects;

/**
 * A session the platform is about to create.
 *
 * @param userId    who asks
 * @param sessionId the id the session will have, or null if not yet known
 * @param resources what it will hold
 *
 * <p>Stable since 0.1.
 */
public record AdmissionRequest(String userId, String sessionId, ResourceSize resources) {

  public AdmissionRequest {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(resources, "resources");
  }
}
