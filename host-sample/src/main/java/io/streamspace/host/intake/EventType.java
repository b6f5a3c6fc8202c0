package io.streamspace.host.intake;

import java.util.Arrays;
import java.util.Optional;

/** The platform event types intake accepts, by their wire names. */
public enum EventType {
  USER_CREATED("user.created"),
  SESSION_CREATED("session.created"),
  SESSION_HEARTBEAT("session.heartbeat"),
  SESSION_TERMINATED("session.terminated"),
  USAGE_REPORTED("usage.reported");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  static Optional<EventType> fromWire(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
