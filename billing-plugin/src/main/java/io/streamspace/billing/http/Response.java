package io.streamspace.billing.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An answer of an operation: what it means, its bodies by media type and its headers. The refusals
 * many routes share are the constants here, each written once under {@code components/responses}.
 */
public final class Response extends Declaration<Response> {

  public static final Response BAD_REQUEST =
      error("BadRequest", "invalid_parameter naming the `field`, or invalid_json");
  public static final Response UNAUTHORIZED =
      error(
          "Unauthorized", "unauthorized: no bearer token (an unknown one is refused by the host)");
  public static final Response FORBIDDEN =
      error("Forbidden", "forbidden: the platform admin role is required");
  public static final Response NOT_FOUND =
      error("NotFound", "not_found, or unknown_user (field user_id) for a user without an account");
  public static final Response CONFLICT = error("Conflict", "a conflict; the code says which");
  public static final Response LOCKED =
      error("Locked", "account_locked: the account is locked read-only for non-payment");
  public static final Response ORGANIZATION_CLOSED =
      error(
          "OrganizationClosed",
          "organization_closed: the organization was closed (org.deleted); its plan, packs,"
              + " spending limit and overage no longer change, while its invoices can still be"
              + " read and paid");
  public static final Response STRIPE_ERROR =
      error("StripeError", "stripe_error: Stripe still failed after its retry");
  public static final Response OWNER_REQUIRED =
      error(
          "OwnerRequired",
          "not_a_member: the caller does not belong to the organization; owner_required: an"
              + " admin or member may not do this, only the organization's owner");
  public static final Response ADMIN_REQUIRED =
      error(
          "AdminRequired",
          "not_a_member: the caller does not belong to the organization; admin_required: a"
              + " member may not read this, only an admin or the owner");
  public static final Response MEMBER_USAGE_REFUSED =
      error(
          "MemberUsageRefused",
          "not_a_member: the caller does not belong to the organization; admin_required: a"
              + " member may read only their own usage (member_id naming themselves), not the"
              + " organization's nor another member's");
  public static final Response BUDGET_REFUSED =
      error(
          "BudgetRefused",
          "not_a_member: the caller does not belong to the organization; admin_required: a"
              + " member may not set or remove budgets; owner_required: an admin may set or"
              + " remove a member's budget, not the organization's own");
  public static final Response MEMBER_REQUIRED =
      error("MemberRequired", "not_a_member: the caller does not belong to the organization");

  private Response(String name, Response definition) {
    super(name, definition);
  }

  @Override
  Response self() {
    return this;
  }

  /** An answer that means {@code description}; its bodies and headers follow. */
  public static Response of(String description) {
    return new Response(null, null).set("description", Objects.requireNonNull(description));
  }

  /** A refusal with the error body ({@code {"error":{"code","message","field"?}}}). */
  public static Response refusal(String description) {
    return of(description).json(Schemas.ERROR);
  }

  private static Response error(String name, String description) {
    return component(name, refusal(description));
  }

  /** A component: written once under {@code components/responses/<name>}. */
  public static Response component(String name, Response definition) {
    return new Response(Objects.requireNonNull(name), Objects.requireNonNull(definition));
  }

  /** A JSON body. */
  public Response json(Schema schema) {
    return content("application/json", schema);
  }

  public Response content(String mediaType, Schema schema) {
    return put("content", mediaType, Map.of("schema", schema));
  }

  public Response header(String header, Schema schema) {
    return put("headers", header, Map.of("schema", schema));
  }

  public Response header(String header, Schema schema, String description) {
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("schema", schema);
    described.put("description", description);
    return put("headers", header, described);
  }

  /** This shared answer, said more precisely for one operation: its reference and the words. */
  public Response described(String description) {
    if (name() == null) {
      throw new IllegalStateException("only a component is described again: " + ownKeywords());
    }
    Response said = new Response(name(), definition());
    said.ownKeywords().put("description", description);
    return said;
  }

  private Response put(String keyword, String key, Object value) {
    member(keyword).put(key, value);
    return this;
  }

  Map<String, Object> keywords() {
    if (name() == null) {
      return ownKeywords();
    }
    Map<String, Object> reference = reference("responses");
    reference.putAll(ownKeywords());
    return reference;
  }
}
