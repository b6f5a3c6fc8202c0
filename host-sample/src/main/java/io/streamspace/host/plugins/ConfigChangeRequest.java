package io.streamspace.host.plugins;

import java.util.Objects;
import java.util.Optional;

/**
 * Who asks to change a plugin's configuration, and why: the admin's user id, the reason they gave
 * and the id of the request that carried it, each handed to the plugin with the change ({@link
 * io.streamspace.plugin.api.config.ConfigSaving}) so that it can keep them beside it.
 */
public record ConfigChangeRequest(
    String changedBy, Optional<String> reason, Optional<String> requestId) {

  public ConfigChangeRequest {
    Objects.requireNonNull(changedBy, "changedBy");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(requestId, "requestId");
  }

  /** A change without a reason or request id (a test, a tool). */
  public static ConfigChangeRequest by(String changedBy) {
    return new ConfigChangeRequest(changedBy, Optional.empty(), Optional.empty());
  }
}
