package io.streamspace.plugin.api.http;

import java.util.Set;

/**
 * Who sent a request, as the host authenticated it.
 *
 * @param userId the platform user id, or null for an anonymous caller
 * @param roles  the caller's roles: {@code user}, {@code platform}, {@code admin}
 *
 * <p>Stable since 0.1.
 */
public record Caller(String userId, Set<String> roles) {

  /** A request that carried no bearer token. */
  public static final Caller ANONYMOUS = new Caller(null, Set.of());

  public static final String ROLE_USER = "user";
  public static final String ROLE_PLATFORM = "platform";
  public static final String ROLE_ADMIN = "admin";

  public Caller {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
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
