package io.streamspace.billing.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON Schema (OpenAPI 3.1) of a request body, an answer or a parameter, declared fluently next
 * to the route that reads or answers it: {@code object().req("amount", number()).prop("note",
 * string().orNull())}. A schema named by {@link #component} is written once under {@code
 * components/schemas} and as a {@code $ref} wherever it is used; {@link ApiDescription} finds the
 * components an operation uses, so a reference can never point nowhere.
 */
public final class Schema extends Declaration<Schema> {

  private Schema(String name, Schema definition) {
    super(name, definition);
  }

  @Override
  Schema self() {
    return this;
  }

  private static Schema typed(String type) {
    return new Schema(null, null).set("type", type);
  }

  /** A schema with no type: any value. */
  public static Schema any() {
    return new Schema(null, null);
  }

  public static Schema object() {
    return typed("object");
  }

  public static Schema string() {
    return typed("string");
  }

  public static Schema integer() {
    return typed("integer");
  }

  public static Schema number() {
    return typed("number");
  }

  public static Schema bool() {
    return typed("boolean");
  }

  /** The type {@code null}: the other branch of a {@link #oneOf} whose value may be absent. */
  public static Schema nullValue() {
    return typed("null");
  }

  public static Schema array(Schema items) {
    return typed("array").set("items", items);
  }

  public static Schema oneOf(Schema... options) {
    return any().set("oneOf", List.of(options));
  }

  public static Schema allOf(Schema... parts) {
    return any().set("allOf", List.of(parts));
  }

  /** A component: written once under {@code components/schemas/<name>}, referred to by name. */
  public static Schema component(String name, Schema definition) {
    return new Schema(Objects.requireNonNull(name), Objects.requireNonNull(definition));
  }

  /** The type and {@code null}: {@code ["string", "null"]}. */
  public Schema orNull() {
    return set("type", List.of(ownKeywords().get("type"), "null"));
  }

  public Schema description(String description) {
    return set("description", description);
  }

  public Schema format(String format) {
    return set("format", format);
  }

  public Schema pattern(String pattern) {
    return set("pattern", pattern);
  }

  /** The values it may take ({@code null} among them for a nullable one). */
  public Schema enumOf(String... values) {
    return set("enum", Arrays.asList(values));
  }

  public Schema min(Number minimum) {
    return set("minimum", minimum);
  }

  public Schema max(Number maximum) {
    return set("maximum", maximum);
  }

  public Schema maxLength(int maxLength) {
    return set("maxLength", maxLength);
  }

  public Schema minProperties(int minProperties) {
    return set("minProperties", minProperties);
  }

  public Schema defaultValue(Object value) {
    return set("default", value);
  }

  public Schema constant(Object value) {
    return set("const", value);
  }

  public Schema contentMediaType(String mediaType) {
    return set("contentMediaType", mediaType);
  }

  public Schema additionalProperties(Schema values) {
    return set("additionalProperties", values);
  }

  public Schema additionalProperties(boolean allowed) {
    return set("additionalProperties", allowed);
  }

  /** A property every value has: listed in {@code properties} and {@code required}. */
  public Schema req(String property, Schema schema) {
    required(property);
    return prop(property, schema);
  }

  /** A property a value may lack. */
  public Schema prop(String property, Schema schema) {
    member("properties").put(property, Objects.requireNonNull(schema, property));
    return this;
  }

  /** Names required without a property of their own here (one an {@link #allOf} part has). */
  public Schema required(String... properties) {
    @SuppressWarnings("unchecked")
    List<String> required =
        (List<String>) mutableKeywords().computeIfAbsent("required", k -> new ArrayList<String>());
    required.addAll(List.of(properties));
    return this;
  }

  /** The keywords as written where the schema is used: a component's are its {@code $ref}. */
  Map<String, Object> keywords() {
    return name() == null ? ownKeywords() : reference("schemas");
  }
}
