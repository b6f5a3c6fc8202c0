package io.streamspace.billing.http;

import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;

/**
 * Authorization: the host authenticates, the plugin decides. A route either needs the platform
 * admin role ({@code /admin/...}, the jobs), or acts on an organization with a role in it
 * ({@link OrgAccess}).
 */
public final class Access {

  private Access() {}

  public static Caller authenticated(HttpRequest request) throws ApiException {
    Caller caller = request.caller();
    if (!caller.isAuthenticated()) {
      throw ApiException.unauthorized();
    }
    return caller;
  }

  public static Caller admin(HttpRequest request) throws ApiException {
    Caller caller = authenticated(request);
    if (!caller.isAdmin()) {
      throw ApiException.forbidden("the admin role is required");
    }
    return caller;
  }
}
