package io.streamspace.host.intake;

import io.streamspace.plugin.api.event.OrganizationEvent;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** The platform event types intake accepts, by their wire names. */
public enum EventType {
  USER_CREATED("user.created"),
  SESSION_CREATED("session.created"),
  SESSION_HEARTBEAT("session.heartbeat"),
  /** The platform resumed a session the user came back to: a heartbeat whose activity is active. */
  SESSION_RESUMED("session.resumed"),
  SESSION_TERMINATED("session.terminated"),
  USAGE_REPORTED("usage.reported"),
  ORG_CREATED(OrganizationEvent.Type.CREATED),
  ORG_MEMBER_ADDED(OrganizationEvent.Type.MEMBER_ADDED),
  ORG_MEMBER_ROLE_CHANGED(OrganizationEvent.Type.MEMBER_ROLE_CHANGED),
  ORG_MEMBER_REMOVED(OrganizationEvent.Type.MEMBER_REMOVED),
  ORG_DELETED(OrganizationEvent.Type.DELETED);

  // read once per event at intake: a map rather than a stream over values() each time
  private static final Map<String, EventType> BY_WIRE_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.wireName, t -> t));

  private final String wireName;
  // the contract names organization events: their wire names are the contract's, not a copy
  private final OrganizationEvent.Type organizationType;

  EventType(String wireName) {
    this.wireName = wireName;
    this.organizationType = null;
  }

  EventType(OrganizationEvent.Type organizationType) {
    this.wireName = organizationType.wireName();
    this.organizationType = organizationType;
  }

  public String wireName() {
    return wireName;
  }

  /** The contract's type of an organization event; empty for the other types. */
  Optional<OrganizationEvent.Type> organizationType() {
    return Optional.ofNullable(organizationType);
  }

  /** The type of an organization event of the contract's type. */
  public static EventType of(OrganizationEvent.Type type) {
    Objects.requireNonNull(type, "type");
    return Arrays.stream(values())
        .filter(t -> t.organizationType == type)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no event type for " + type));
  }

  static Optional<EventType> fromWire(String name) {
    return Optional.ofNullable(BY_WIRE_NAME.get(name));
  }
}
