package io.streamspace.billing.account;

import java.util.Arrays;
import java.util.Optional;

/**
 * A member's role in an organization, from the most to the least allowed: each role may do what
 * the roles below it may. The Owner pays (plan, checkout, payment methods, seats); an Admin
 * watches the organization's usage, members, quotas and invoices; a Member uses it and sees their
 * own usage.
 */
public enum MemberRole {
  OWNER("owner"),
  ADMIN("admin"),
  MEMBER("member");

  private final String wireName;

  MemberRole(String wireName) {
    this.wireName = wireName;
  }

  /** Its name in events, JSON and the database: {@code owner}, {@code admin}, {@code member}. */
  public String wireName() {
    return wireName;
  }

  /** Whether this role may do what {@code required} may. */
  public boolean includes(MemberRole required) {
    return ordinal() <= required.ordinal();
  }

  public static Optional<MemberRole> fromWire(String name) {
    return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
  }
}
