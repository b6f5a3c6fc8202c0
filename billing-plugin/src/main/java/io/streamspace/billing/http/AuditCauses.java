package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;

/**
 * The {@link Cause} of a change a request makes: who called, the reason an admin gave, and the
 * request's id from the {@value #REQUEST_ID_HEADER} header when the host passes one (the host
 * passes every header; the sample host does not make one up, a proxy in front of it may).
 */
final class AuditCauses {

  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private static final int MAX_REQUEST_ID_LENGTH = 200;

  private AuditCauses() {}

  /** An admin's change, with the reason the body gave ({@link #requiredReason}). */
  static Cause admin(HttpRequest request, Caller admin, String reason) {
    return new Cause(Actor.admin(admin.userId()), reason, requestId(request));
  }

  /** A change by a user on their organization: a reason is theirs to give or not. */
  static Cause user(HttpRequest request, Caller caller) {
    return new Cause(Actor.user(caller.userId()), null, requestId(request));
  }

  /**
   * The cause of a change made through a route of the organization's own (its Owner's, which
   * the platform admin may call too): the admin's, with the body's {@code reason} if it gives
   * one (one that {@linkplain Cause#saysNothing says nothing} is none), else the user's. {@code
   * body} may be null (a DELETE without one).
   */
  static Cause ofCaller(HttpRequest request, JsonNode body) {
    Caller caller = request.caller();
    if (!caller.isAdmin()) {
      return user(request, caller);
    }
    JsonNode reason = body == null ? null : body.get("reason");
    return admin(request, caller, said(reason) ? reason.asText().strip() : null);
  }

  /**
   * The {@code reason} an admin action requires: 400 naming {@code reason} when it is missing,
   * {@linkplain Cause#saysNothing says nothing} (blank, or no letter or digit: a zero-width space,
   * only punctuation) or is longer than {@value Cause#MAX_REASON_LENGTH} characters. Only {@code
   * reason} is read: a {@code note} is no reason here ({@link #requiredReasonOrNote}).
   */
  static String requiredReason(JsonNode body) throws ApiException {
    return checked(body.get("reason"));
  }

  /**
   * {@link #requiredReason}, for the two routes that asked for a {@code note} before the audit
   * trail and document it as the reason's former name ({@code POST
   * /admin/users/{user_id}/unlock}, {@code PATCH /admin/invoices/{id}}): a {@code note} that says
   * something is taken as the reason when no {@code reason} is given.
   */
  static String requiredReasonOrNote(JsonNode body) throws ApiException {
    JsonNode value = body.get("reason");
    if (value == null || value.isNull()) {
      JsonNode note = body.get("note");
      value = said(note) ? note : value;
    }
    return checked(value);
  }

  private static String checked(JsonNode value) throws ApiException {
    if (!said(value)) {
      throw ApiException.badParameter(
          "reason",
          "reason is required: say why (in words: at least one letter or digit), the audit trail"
              + " keeps it with the change");
    }
    String reason = value.asText().strip();
    if (reason.length() > Cause.MAX_REASON_LENGTH) {
      throw ApiException.badParameter(
          "reason", "reason must be at most " + Cause.MAX_REASON_LENGTH + " characters");
    }
    return reason;
  }

  private static boolean said(JsonNode value) {
    return value != null && value.isTextual() && !Cause.saysNothing(value.asText());
  }

  /** The caller's request id, cut to a length an index stores; null when none was given. */
  static String requestId(HttpRequest request) {
    return request
        .header(REQUEST_ID_HEADER)
        .filter(id -> !id.isBlank())
        .map(
            id -> id.length() > MAX_REQUEST_ID_LENGTH ? id.substring(0, MAX_REQUEST_ID_LENGTH) : id)
        .orElse(null);
  }
}
