package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;

/**
 * Authorization: the host authenticates, the plugin decides. A user sees only their own data;
 * an admin may act for anyone.
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

  /**
   * The user whose data is asked for: the {@code user_id} parameter, else the caller. Only an
   * admin may name another user.
   */
  public static String subjectUser(HttpRequest request) throws ApiException {
    return subjectUser(request, request.queryParam("user_id").orElse(null));
  }

  /**
   * The user a body acts for: its {@code user_id} member, else the caller. Only an admin may
   * name another user.
   *
   * @throws ApiException 400 naming {@code user_id} when it is not a string
   */
  public static String subjectUser(HttpRequest request, JsonNode body) throws ApiException {
    JsonNode userField = body.get("user_id");
    if (userField != null && !userField.isTextual()) {
      throw ApiException.badParameter("user_id", "user_id must be a string");
    }
    return subjectUser(request, userField == null ? null : userField.textValue());
  }

  /**
   * The user whose data is asked for: {@code asked} (from a body, say), else the caller when
   * it is null. Only an admin may name another user.
   */
  public static String subjectUser(HttpRequest request, String asked) throws ApiException {
    Caller caller = authenticated(request);
    String subject = asked == null ? caller.userId() : asked;
    if (!subject.equals(caller.userId()) && !caller.isAdmin()) {
      throw ApiException.forbidden("only an admin may act on another user's data");
    }
    return subject;
  }
}
