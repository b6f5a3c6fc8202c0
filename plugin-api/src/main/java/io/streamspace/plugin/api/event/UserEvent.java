package io.streamspace.plugin.api.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A user was created on the platform.
 *
 * @param id          the event's unique id; a redelivered event has the same id
 * @param occurredAt  when it happened on the platform
 * @param userId      the platform's user id
 * @param email       the user's e-mail, or null
 * @param displayName the user's name, or null
 * @param attributes  further string fields the platform sent (for example {@code currency},
 *                    {@code plan}); never null, unmodifiable
 *
 * <p>Stable since 0.1.
 */
public record UserEvent(
    String id,
    Instant occurredAt,
    String userId,
    String email,
    String displayName,
    Map<String, String> attributes) {

  public UserEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(userId, "userId");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
