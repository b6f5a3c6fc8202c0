package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The description of one route, declared next to its handler and registered with it ({@link
 * DescribedRoutes#add}): its method and path, who may call it, what it does, its parameters, body
 * and answers. Read as the document says it:
 *
 * <pre>{@code
 * Operation.post("/admin/credits")
 *     .admin()
 *     .summary("Grant a credit")
 *     .description("...")
 *     .params(Param.IDEMPOTENCY_KEY)
 *     .body(CREDIT_GRANT)
 *     .answers(201, CREDIT)
 *     .errors(400, 404);
 * }</pre>
 *
 * <p>Who may call it is one call, which also says the bearer token and its refusals: {@link
 * #admin} (the platform admin), {@link #owner}, {@link #orgAdmin} or {@link #orgMember} (a role in
 * the organization acted on, or a platform admin), {@link #roles} (the platform roles named), or
 * {@link #open} (anyone: no token). A route with a token answers 401 without one; an admin or
 * organization route answers 403 with the refusal its role gives. {@link #errors} adds the other
 * shared refusals by status.
 */
public final class Operation {

  private static final String BEARER = "bearerAuth";

  private final HttpMethod method;
  private final String path;
  private String summary;
  private String description;
  private List<String> roles;
  private String orgRole;
  private boolean open;
  private Response forbidden;
  private final List<Param> params = new ArrayList<>();
  private String bodyType;
  private Schema body;
  private boolean bodyRequired;
  private final Map<Integer, Response> answers = new TreeMap<>();
  private boolean frozen;

  private Operation(HttpMethod method, String path) {
    this.method = method;
    this.path = path;
  }

  public static Operation get(String path) {
    return new Operation(HttpMethod.GET, path);
  }

  public static Operation put(String path) {
    return new Operation(HttpMethod.PUT, path);
  }

  public static Operation post(String path) {
    return new Operation(HttpMethod.POST, path);
  }

  public static Operation delete(String path) {
    return new Operation(HttpMethod.DELETE, path);
  }

  public static Operation patch(String path) {
    return new Operation(HttpMethod.PATCH, path);
  }

  public Operation summary(String summary) {
    mutable().summary = summary;
    return this;
  }

  public Operation description(String description) {
    mutable().description = description;
    return this;
  }

  /** The platform admin only; 403 {@code forbidden} to anyone else. */
  public Operation admin() {
    return access(List.of("admin"), null, Response.FORBIDDEN);
  }

  /** The organization's owner, or a platform admin; 403 {@code owner_required}. */
  public Operation owner() {
    return access(List.of("user", "admin"), "owner", Response.OWNER_REQUIRED);
  }

  /** The organization's owner or an admin of it, or a platform admin; 403 admin_required. */
  public Operation orgAdmin() {
    return access(List.of("user", "admin"), "admin", Response.ADMIN_REQUIRED);
  }

  /** Any member of the organization, or a platform admin; 403 {@code not_a_member}. */
  public Operation orgMember() {
    return access(List.of("user", "admin"), "member", Response.MEMBER_REQUIRED);
  }

  /**
   * The platform roles named, with a bearer token; 403 only if {@link #errors} says it ({@code
   * forbidden}).
   */
  public Operation roles(String... roles) {
    return access(List.of(roles), null, Response.FORBIDDEN).withoutForbidden();
  }

  /** Any signed-in caller, whatever their platform role: a bearer token, no 403. */
  public Operation authenticated() {
    return roles(Caller.ROLE_USER, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN, Caller.ROLE_CREATOR);
  }

  /** Anyone, without a token (a page, Stripe's signed webhook). */
  public Operation open() {
    mutable().roles = List.of();
    open = true;
    return this;
  }

  private Operation access(List<String> roles, String orgRole, Response forbidden) {
    mutable().roles = roles;
    this.orgRole = orgRole;
    this.forbidden = forbidden;
    answers.put(401, Response.UNAUTHORIZED);
    answers.put(403, forbidden);
    return this;
  }

  private Operation withoutForbidden() {
    mutable().answers.remove(403);
    return this;
  }

  public Operation params(Param... params) {
    mutable().params.addAll(List.of(params));
    return this;
  }

  /** A required JSON body. */
  public Operation body(Schema schema) {
    return body("application/json", schema);
  }

  /** A required body of another media type. */
  public Operation body(String mediaType, Schema schema) {
    mutable().bodyType = mediaType;
    this.body = schema;
    this.bodyRequired = true;
    return this;
  }

  /** A JSON body the route also runs without. */
  public Operation optionalBody(Schema schema) {
    body(schema);
    this.bodyRequired = false;
    return this;
  }

  /** A JSON answer: 200 "OK", 201 "Created". */
  public Operation answers(int status, Schema schema) {
    String meaning =
        switch (status) {
          case 200 -> "OK";
          case 201 -> "Created";
          default -> throw new IllegalArgumentException(status + " needs its own words");
        };
    return answers(status, Response.of(meaning).json(schema));
  }

  public Operation answers(int status, Response response) {
    mutable().answers.put(status, Objects.requireNonNull(response));
    return this;
  }

  /**
   * The shared refusals, by status: 400 {@link Response#BAD_REQUEST}, 403 the one of who may
   * call it, 404 {@link Response#NOT_FOUND}, 409 {@link Response#CONFLICT}, 423 {@link
   * Response#LOCKED}, 502 {@link Response#STRIPE_ERROR}.
   */
  public Operation errors(int... statuses) {
    for (int status : statuses) {
      mutable().answers.put(status, shared(status));
    }
    return this;
  }

  /**
   * No further change: called when the route is registered ({@link DescribedRoutes#add}), it
   * freezes the operation and every declaration it holds (its body, parameters and answers).
   */
  void freeze() {
    frozen = true;
    Declaration.freezeWithin(body);
    Declaration.freezeWithin(params);
    Declaration.freezeWithin(answers);
  }

  private Operation mutable() {
    if (frozen) {
      throw new IllegalStateException(this + " is registered already: declare it before");
    }
    return this;
  }

  private Response shared(int status) {
    return switch (status) {
      case 400 -> Response.BAD_REQUEST;
      case 401 -> Response.UNAUTHORIZED;
      case 403 -> Objects.requireNonNull(forbidden, "403 of a route without a role");
      case 404 -> Response.NOT_FOUND;
      case 409 -> Response.CONFLICT;
      case 423 -> Response.LOCKED;
      case 502 -> Response.STRIPE_ERROR;
      default -> throw new IllegalArgumentException("no shared answer for " + status);
    };
  }

  public HttpMethod method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** {@code "GET /invoices/{id}"}. */
  @Override
  public String toString() {
    return method + " " + path;
  }

  /** Who may call it, as declared: null until one of the access methods was called. */
  List<String> roles() {
    return roles;
  }

  String orgRole() {
    return orgRole;
  }

  boolean isOpen() {
    return open;
  }

  String summary() {
    return summary;
  }

  String description() {
    return description;
  }

  List<Param> params() {
    return params;
  }

  String bodyType() {
    return bodyType;
  }

  Schema body() {
    return body;
  }

  boolean bodyRequired() {
    return bodyRequired;
  }

  Map<Integer, Response> answers() {
    return answers;
  }

  /** The security requirement: none for an open route, else a bearer token. */
  List<Map<String, List<String>>> security() {
    return open ? List.of() : List.of(Map.of(BEARER, List.of()));
  }
}
