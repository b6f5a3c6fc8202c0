package io.streamspace.plugin.api.http;

import io.streamspace.plugin.api.event.OrganizationEvent;
import java.util.Map;
import java.util.Set;

/**
 * Who sent a request, as the host authenticated it.
 *
 * @param userId      the platform user id, or null for an anonymous caller
 * @param roles       the caller's roles: {@code user}, {@code platform}, {@code admin}
 * @param memberships the organizations the caller's token names, by id, with the caller's role
 *                    in each, as the platform signed them into it (a host reads them from its
 *                    platform's verified sign-in token only, never from a token of its own);
 *                    empty when the token named none. Since 0.3.
 *
 * <p>Stable since 0.1; {@code memberships} since 0.3.
 */
public record Caller(
    String userId, Set<String> roles, Map<String, OrganizationEvent.Role> memberships) {

  /** A request that carried no bearer token. */
  public static final Caller ANONYMOUS = new Caller(null, Set.of());

  public static final String ROLE_USER = "user";
  public static final String ROLE_PLATFORM = "platform";
  public static final String ROLE_ADMIN = "admin";

  /** A user who may sell in a plugin's store (the billing plugin's add-on store). Since 0.3. */
  public static final String ROLE_CREATOR = "creator";

  /** The canonical form, with {@code memberships}: @since 0.3. */
  public Caller {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    memberships = memberships == null ? Map.of() : Map.copyOf(memberships);
  }

  /** A caller whose token names no organization, as before 0.3. */
  public Caller(String userId, Set<String> roles) {
    this(userId, roles, Map.of());
  }

  public boolean isAuthenticated() {
    return userId != null;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public boolean isAdmin() {
    return hasRole(ROLE_ADMIN);
  }
}
