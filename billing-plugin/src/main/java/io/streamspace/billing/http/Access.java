package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;

/**
 * Authorization: the host authenticates, the plugin decides. A user sees only their own data;
 * an admin may act for anyone.
 */
final class Access {

  private Access() {}

  static Caller authenticated(HttpRequest request) throws ApiException {
    Caller caller = request.caller();
    if (!caller.isAuthenticated()) {
      throw ApiException.unauthorized();
    }
    return caller;
  }

  static Caller admin(HttpRequest request) throws ApiException {
    Caller caller = authenticated(request);
    if (!caller.isAdmin()) {
      throw ApiException.forbidden("the admin role is required");
    }
    return caller;
  }

  /**
   * The user whose data is asked for: the {@code user_id} parameter, else the caller. Only an
   * admin may name another user.
   */
  static String subjectUser(HttpRequest request) throws ApiException {
    Caller caller = authenticated(request);
    String asked = request.queryParam("user_id").orElse(caller.userId());
    if (!asked.equals(caller.userId()) && !caller.isAdmin()) {
      throw ApiException.forbidden("only an admin may read another user's data");
    }
    return asked;
  }
}
