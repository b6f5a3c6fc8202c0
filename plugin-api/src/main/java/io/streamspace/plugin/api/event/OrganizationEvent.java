package io.streamspace.plugin.api.event;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Something happened to an organization on the platform: it was created or deleted, or a user
 * joined it, changed role in it or left it. The organization is the customer a plugin bills: its
 * Owner pays, its Admins watch its usage, its Members use it. The platform is the source of truth
 * for memberships; a plugin learns them from these events.
 *
 * <p>Delivered at least once and in any order, like every event: a plugin de-duplicates by
 * {@link #id()} and decides by {@link #occurredAt()} (a membership event may arrive before the
 * {@code org.created} of its organization).
 *
 * @param id           the event's unique id; a redelivered event has the same id
 * @param occurredAt   when it happened on the platform
 * @param type         what happened
 * @param orgId        the organization's id
 * @param organization what {@code org.created} tells of it; null for every other type
 * @param membership   who joined, changed role or left; null for {@code org.created} and
 *                     {@code org.deleted}
 *
 * <p>Stable since 0.3.
 */
public record OrganizationEvent(
    String id,
    Instant occurredAt,
    Type type,
    String orgId,
    Organization organization,
    Membership membership) {

  /** What happened to an organization, by the event's wire name. */
  public enum Type {
    CREATED("org.created"),
    MEMBER_ADDED("org.member_added"),
    MEMBER_ROLE_CHANGED("org.member_role_changed"),
    MEMBER_REMOVED("org.member_removed"),
    DELETED("org.deleted");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** Whether events of this type carry a {@link Membership}. */
    public boolean isMembershipChange() {
      return this == MEMBER_ADDED || this == MEMBER_ROLE_CHANGED || this == MEMBER_REMOVED;
    }

    public static Optional<Type> fromWire(String name) {
      return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
  }

  /** A member's role in an organization, by its wire name. */
  public enum Role {
    /** Pays: changes the plan, checks out, manages payment methods and seats. */
    OWNER("owner"),
    /** Watches the organization's usage, members, quotas, invoices and alerts; pays nothing. */
    ADMIN("admin"),
    /** Uses the organization: sees their own usage and the quota state that affects them. */
    MEMBER("member");

    private final String wireName;

    Role(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Optional<Role> fromWire(String name) {
      return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }
  }

  /**
   * An organization as {@code org.created} describes it.
   *
   * @param name        its display name, or null
   * @param ownerUserId the user who owns it from {@code occurredAt} on: its first member
   * @param currency    the ISO 4217 code it asks to be billed in, or null for the plugin's default
   * @param planId      the plan it asks to start on, or null for the plugin's default
   */
  public record Organization(String name, String ownerUserId, String currency, String planId) {
    public Organization {
      Objects.requireNonNull(ownerUserId, "ownerUserId");
    }
  }

  /**
   * A user's membership as a membership event changes it.
   *
   * @param userId the member
   * @param role   their role from {@code occurredAt} on; null when they left
   *               ({@code org.member_removed})
   */
  public record Membership(String userId, Role role) {
    public Membership {
      Objects.requireNonNull(userId, "userId");
    }
  }

  public OrganizationEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(orgId, "orgId");
    if ((type == Type.CREATED) != (organization != null)) {
      throw new IllegalArgumentException("organization is given with org.created and only then");
    }
    if (type.isMembershipChange() != (membership != null)) {
      throw new IllegalArgumentException(
          "membership is given with membership events and only then");
    }
    if (membership != null && (type == Type.MEMBER_REMOVED) != (membership.role() == null)) {
      throw new IllegalArgumentException("a role is given unless the member left");
    }
  }
}
