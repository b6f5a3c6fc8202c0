package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.string;

import java.util.Map;
import java.util.Objects;

/**
 * A parameter of an operation: in the query, the path or a header. The ones many routes share are
 * the constants here, each written once under {@code components/parameters}.
 */
public final class Param extends Declaration<Param> {

  /** {@code user_id}: a user's personal organization. */
  public static final Param USER_ID =
      component(
          "UserId",
          query("user_id", string())
              .description(
                  "a user's personal organization (platform admin only; anyone else may name only"
                      + " their own); for a team organization use org_id"));

  /** {@code org_id}: the organization acted on. */
  public static final Param ORG_ID =
      component(
          "OrgId",
          query("org_id", Schemas.ORG_ID)
              .description(
                  "the organization acted on; absent: the caller's personal organization"));

  public static final Param LIMIT =
      component("Limit", query("limit", integer().min(1).max(100).defaultValue(20)));

  public static final Param OFFSET =
      component("Offset", query("offset", integer().min(0).defaultValue(0)));

  public static final Param FROM =
      component(
          "From",
          query("from", string())
              .description(
                  "a date (midnight in the billing zone) or an instant where slices are cut"));

  public static final Param TO =
      component("To", query("to", string()).description("as `from`; exclusive"));

  /** {@code {id}}: a row's id, ASCII digits. */
  public static final Param ID = component("Id", path("id", string().pattern("^[0-9]{1,18}$")));

  /** The header a retry of a POST repeats, to be answered the first request's result. */
  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  public static final Param IDEMPOTENCY_KEY =
      component(
          "IdempotencyKey",
          header(IDEMPOTENCY_KEY_HEADER, string())
              .description("a retry with the first request's key answers its result again"));

  public static final Param PERIOD =
      component(
          "Period",
          query("period", string().pattern("^[0-9]{4}-[0-9]{2}$"))
              .description("a month YYYY-MM in the billing time zone (default: the current one)"));

  private Param(String name, Param definition) {
    super(name, definition);
  }

  @Override
  Param self() {
    return this;
  }

  private static Param in(String where, String name, Schema schema) {
    return new Param(null, null).set("name", name).set("in", where).set("schema", schema);
  }

  public static Param query(String name, Schema schema) {
    return in("query", name, schema);
  }

  /** A path parameter: always required. */
  public static Param path(String name, Schema schema) {
    return in("path", name, schema).required();
  }

  public static Param header(String name, Schema schema) {
    return in("header", name, schema);
  }

  /** A component: written once under {@code components/parameters/<name>}. */
  public static Param component(String name, Param definition) {
    return new Param(Objects.requireNonNull(name), Objects.requireNonNull(definition));
  }

  public Param description(String description) {
    return set("description", description);
  }

  public Param required() {
    return set("required", true);
  }

  /** Its name and place, as the route reads it ({@code in} and {@code name}). */
  String where() {
    Map<String, Object> own = definition().ownKeywords();
    return own.get("in") + " " + own.get("name");
  }

  Map<String, Object> keywords() {
    return name() == null ? ownKeywords() : reference("parameters");
  }
}
