package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The generated body of {@code docs/reference/api.md}: the OpenAPI document the host serves,
 * written as Markdown. The host's operations by tag, then each plugin's under its mount (by its
 * own tags, else by who may call them), each with who may call it, what it does, its parameters,
 * its request body's fields and its answers; then every schema the operations refer to, field by
 * field. Every operation's heading is {@code #### `METHOD /path`}, so GitHub's anchor for it is
 * {@code #method-path-without-punctuation} ({@link #anchor}).
 */
public final class ApiReferenceMarkdown {

  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final String PLUGIN_MOUNT = "/api/plugins/";
  private static final Pattern ROLES_STATED =
      Pattern.compile(
          "(?:\\n\\n)?(?:No token needed\\.|Needs a bearer token with the role [^\\n]+\\.)$");
  private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{Nd} _-]");

  private final JsonNode document;
  private final StringBuilder out = new StringBuilder();

  private ApiReferenceMarkdown(JsonNode document) {
    this.document = document;
  }

  /** The Markdown of the whole document. */
  public static String render(JsonNode document) {
    return new ApiReferenceMarkdown(document).page();
  }

  /** The heading every operation has in the page. */
  public static String heading(String method, String path) {
    return "#### `" + method.toUpperCase(Locale.ROOT) + " " + path + "`";
  }

  /** GitHub's anchor of a heading's text: lower case, punctuation dropped, spaces as hyphens. */
  public static String anchor(String headingText) {
    return NOT_IN_ANCHOR
        .matcher(headingText.toLowerCase(Locale.ROOT))
        .replaceAll("")
        .replace(' ', '-');
  }

  private record Operation(String method, String path, JsonNode node) {}

  private String page() {
    Map<String, Map<String, List<Operation>>> sections = sections();
    for (Map.Entry<String, Map<String, List<Operation>>> section : sections.entrySet()) {
      String plugin = section.getKey();
      if (plugin.isEmpty()) {
        line("## Host");
        line("");
        paragraph(document.at("/info/description").asText(""));
      } else {
        line("## Plugin `" + plugin + "` (`" + PLUGIN_MOUNT + plugin + "`)");
        line("");
        paragraph(tagDescription(plugin));
      }
      for (Map.Entry<String, List<Operation>> group : section.getValue().entrySet()) {
        line("### " + (plugin.isEmpty() ? "Host routes: " : "") + group.getKey());
        line("");
        paragraph(tagDescription(group.getKey()));
        for (Operation operation : group.getValue()) {
          operation(operation);
        }
      }
    }
    schemas();
    return out.toString();
  }

  /**
   * The operations in document order, by plugin ("" for the host's own) and group: the host's
   * by tag, in the order the document's tags give; a plugin's by its own tags, else by who may
   * call them.
   */
  private Map<String, Map<String, List<Operation>>> sections() {
    Map<String, Map<String, List<Operation>>> sections = new LinkedHashMap<>();
    Map<String, List<Operation>> host = new LinkedHashMap<>();
    sections.put("", host);
    document.path("tags").forEach(tag -> host.put(tag.path("name").asText(), new ArrayList<>()));
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        method -> {
                          if (!METHODS.contains(method.getKey())) {
                            return;
                          }
                          Operation operation =
                              new Operation(method.getKey(), path.getKey(), method.getValue());
                          String plugin = pluginOf(path.getKey());
                          String group =
                              plugin.isEmpty()
                                  ? operation.node().path("tags").path(0).asText("other")
                                  : pluginGroup(plugin, operation.node());
                          sections
                              .computeIfAbsent(plugin, p -> new LinkedHashMap<>())
                              .computeIfAbsent(group, g -> new ArrayList<>())
                              .add(operation);
                        }));
    host.values().removeIf(List::isEmpty);
    return sections;
  }

  private static String pluginOf(String path) {
    if (!path.startsWith(PLUGIN_MOUNT)) {
      return "";
    }
    int end = path.indexOf('/', PLUGIN_MOUNT.length());
    return end < 0
        ? path.substring(PLUGIN_MOUNT.length())
        : path.substring(PLUGIN_MOUNT.length(), end);
  }

  /** A plugin's operation's group: its own tag ({@code billing: invoices}), else who may call it. */
  private static String pluginGroup(String plugin, JsonNode operation) {
    String tag = operation.path("tags").path(0).asText(plugin);
    if (!tag.equals(plugin)) {
      return tag;
    }
    List<String> roles = roles(operation);
    if (operation.path("security").isArray() && operation.path("security").isEmpty()) {
      return plugin + ": open routes";
    }
    return roles.equals(List.of("admin"))
        ? plugin + ": for the platform admin"
        : plugin + ": for signed-in callers";
  }

  private String tagDescription(String name) {
    for (JsonNode tag : document.path("tags")) {
      if (tag.path("name").asText().equals(name)) {
        return tag.path("description").asText("");
      }
    }
    return "";
  }

  private void operation(Operation operation) {
    JsonNode node = operation.node();
    line(heading(operation.method(), operation.path()));
    line("");
    paragraph(node.path("summary").asText(""));
    line("Who may call it: " + who(node));
    line("");
    // the host says the roles again at the end of its description, for the viewer: said above
    paragraph(ROLES_STATED.matcher(node.path("description").asText("")).replaceFirst(""));
    parameters(node);
    requestBody(node.path("requestBody"));
    responses(node.path("responses"));
  }

  private static String who(JsonNode operation) {
    JsonNode security = operation.path("security");
    if (security.isArray() && security.isEmpty()) {
      return "anyone, no token needed.";
    }
    List<String> roles = roles(operation);
    String who =
        roles.isEmpty()
            ? "any valid bearer token"
            : "a bearer token with the role " + code(roles, " or ");
    String orgRole = operation.path("x-org-role").asText("");
    return orgRole.isEmpty()
        ? who + "."
        : who + "; acting on an organization, the role `" + orgRole + "` or above in it.";
  }

  private static List<String> roles(JsonNode operation) {
    List<String> roles = new ArrayList<>();
    operation.path("x-roles").forEach(role -> roles.add(role.asText()));
    return roles;
  }

  private void parameters(JsonNode operation) {
    List<JsonNode> parameters = new ArrayList<>();
    operation.path("parameters").forEach(p -> parameters.add(resolved(p)));
    if (parameters.isEmpty()) {
      return;
    }
    line("| parameter | in | type | required | meaning |");
    line("| --- | --- | --- | --- | --- |");
    for (JsonNode parameter : parameters) {
      line(
          "| `"
              + parameter.path("name").asText()
              + "` | "
              + parameter.path("in").asText()
              + " | "
              + cell(type(parameter.path("schema")))
              + " | "
              + (parameter.path("required").asBoolean() ? "yes" : "no")
              + " | "
              + cell(parameter.path("description").asText(""))
              + " |");
    }
    line("");
  }

  private void requestBody(JsonNode body) {
    if (body.isMissingNode()) {
      return;
    }
    JsonNode resolved = resolved(body);
    StringBuilder said = new StringBuilder("Request body");
    said.append(resolved.path("required").asBoolean() ? " (required)" : " (optional)");
    List<String> kinds = new ArrayList<>();
    resolved
        .path("content")
        .fields()
        .forEachRemaining(
            media ->
                kinds.add("`" + media.getKey() + "` " + type(media.getValue().path("schema"))));
    said.append(": ").append(String.join("; ", kinds)).append('.');
    line(escaped(said.toString()));
    line("");
    paragraph(resolved.path("description").asText(""));
    JsonNode schema = resolved.at("/content/application~1json/schema");
    if (!schema.isMissingNode() && !schema.has("$ref")) {
      fields(schema);
    }
  }

  private void responses(JsonNode responses) {
    line("| status | meaning | body |");
    line("| --- | --- | --- |");
    Map<String, JsonNode> byStatus = new TreeMap<>();
    responses.fields().forEachRemaining(r -> byStatus.put(r.getKey(), r.getValue()));
    byStatus.forEach(
        (status, response) -> {
          JsonNode resolved = resolved(response);
          // a reference's own description overrides the referenced one's (OpenAPI 3.1)
          String meaning =
              response.has("description")
                  ? response.get("description").asText()
                  : resolved.path("description").asText("");
          List<String> headers = new ArrayList<>();
          resolved.path("headers").fieldNames().forEachRemaining(headers::add);
          if (!headers.isEmpty()) {
            meaning += " (header " + code(headers, ", ") + ")";
          }
          List<String> bodies = new ArrayList<>();
          resolved
              .path("content")
              .fields()
              .forEachRemaining(
                  media ->
                      bodies.add(
                          media.getKey().equals("application/json")
                              ? type(media.getValue().path("schema"))
                              : "`" + media.getKey() + "`"));
          line(
              "| "
                  + status
                  + " | "
                  + cell(meaning)
                  + " | "
                  + cell(String.join(", ", bodies))
                  + " |");
        });
    line("");
  }

  /** Every schema of the document's components, in name order, field by field. */
  private void schemas() {
    JsonNode schemas = document.at("/components/schemas");
    if (schemas.isMissingNode() || schemas.isEmpty()) {
      return;
    }
    line("## Schemas");
    line("");
    line("The bodies the operations above take and answer, by name; a plugin's are prefixed with");
    line("its id.");
    line("");
    Map<String, JsonNode> sorted = new TreeMap<>();
    schemas.fields().forEachRemaining(s -> sorted.put(s.getKey(), s.getValue()));
    sorted.forEach(
        (name, schema) -> {
          line("### `" + name + "`");
          line("");
          paragraph(schema.path("description").asText(""));
          if (properties(schema).isEmpty()) {
            line("Type: " + escaped(type(schema)) + ".");
            line("");
          } else {
            fields(schema);
          }
        });
  }

  /** A table of an object schema's fields, nested objects' fields named by their path. */
  private void fields(JsonNode schema) {
    List<String> rows = new ArrayList<>();
    fieldRows(schema, "", rows, 0);
    if (rows.isEmpty()) {
      return;
    }
    line("| field | type | required | meaning |");
    line("| --- | --- | --- | --- |");
    rows.forEach(this::line);
    line("");
  }

  private void fieldRows(JsonNode schema, String prefix, List<String> rows, int depth) {
    JsonNode required = allRequired(schema);
    properties(schema)
        .forEach(
            (name, property) -> {
              boolean isRequired = false;
              for (JsonNode r : required) {
                isRequired |= r.asText().equals(name);
              }
              rows.add(
                  "| `"
                      + prefix
                      + name
                      + "` | "
                      + cell(type(property))
                      + " | "
                      + (isRequired ? "yes" : "no")
                      + " | "
                      + cell(property.path("description").asText(""))
                      + " |");
              if (depth < 3 && !property.has("$ref")) {
                JsonNode items = property.path("items");
                if (!properties(property).isEmpty()) {
                  fieldRows(property, prefix + name + ".", rows, depth + 1);
                } else if (items.isObject() && !items.has("$ref") && !properties(items).isEmpty()) {
                  fieldRows(items, prefix + name + "[].", rows, depth + 1);
                }
              }
            });
  }

  /** The properties of an object schema, those of its {@code allOf} parts merged in. */
  private Map<String, JsonNode> properties(JsonNode schema) {
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    schema
        .path("properties")
        .fields()
        .forEachRemaining(p -> properties.put(p.getKey(), p.getValue()));
    for (JsonNode part : schema.path("allOf")) {
      properties.putAll(properties(resolved(part)));
    }
    return properties;
  }

  private JsonNode allRequired(JsonNode schema) {
    var all = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    schema.path("required").forEach(all::add);
    for (JsonNode part : schema.path("allOf")) {
      allRequired(resolved(part)).forEach(all::add);
    }
    return all;
  }

  /** A schema's type in words: a named schema as a link to it, with its bounds and values. */
  private String type(JsonNode schema) {
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().replaceFirst("^#/components/schemas/", "");
      return "[`" + name + "`](#" + anchor(name) + ")";
    }
    for (String combined : List.of("oneOf", "anyOf")) {
      if (schema.has(combined)) {
        List<String> variants = new ArrayList<>();
        schema.get(combined).forEach(v -> variants.add(type(v)));
        return String.join(" or ", variants);
      }
    }
    if (schema.has("allOf")) {
      List<String> parts = new ArrayList<>();
      schema.get("allOf").forEach(p -> parts.add(type(p)));
      return String.join(" and ", parts);
    }
    List<String> types = new ArrayList<>();
    if (schema.path("type").isArray()) {
      schema.get("type").forEach(t -> types.add(t.asText()));
    } else if (schema.has("type")) {
      types.add(schema.get("type").asText());
    }
    StringBuilder said = new StringBuilder();
    List<String> named = new ArrayList<>();
    for (String t : types) {
      if (t.equals("array")) {
        named.add("array of " + (schema.has("items") ? type(schema.get("items")) : "anything"));
      } else if (t.equals("object")
          && schema.path("additionalProperties").isObject()
          && properties(schema).isEmpty()) {
        named.add("object of " + type(schema.get("additionalProperties")));
      } else {
        named.add(t);
      }
    }
    if (named.isEmpty() && !schema.has("enum") && !schema.has("const")) {
      named.add("any value");
    }
    said.append(String.join(" or ", named));
    if (schema.has("format")) {
      said.append(" (").append(schema.get("format").asText()).append(')');
    }
    if (schema.has("enum")) {
      List<String> values = new ArrayList<>();
      schema.get("enum").forEach(v -> values.add(v.isTextual() ? v.asText() : v.toString()));
      said.append(said.isEmpty() ? "one of " : ", one of ").append(code(values, ", "));
    }
    if (schema.has("const")) {
      said.append(said.isEmpty() ? "always `" : ", always `")
          .append(schema.get("const").asText())
          .append('`');
    }
    if (schema.has("minimum") || schema.has("maximum")) {
      said.append(", ")
          .append(schema.has("minimum") ? schema.get("minimum").asText() : "…")
          .append(" to ")
          .append(schema.has("maximum") ? schema.get("maximum").asText() : "…");
    }
    if (schema.has("minItems") || schema.has("maxItems")) {
      said.append(", ")
          .append(schema.path("minItems").asText("0"))
          .append(" to ")
          .append(schema.has("maxItems") ? schema.get("maxItems").asText() : "any number of")
          .append(" items");
    }
    if (schema.has("pattern")) {
      said.append(", matching `").append(schema.get("pattern").asText()).append('`');
    }
    if (schema.has("default")) {
      said.append(", default `").append(schema.get("default").toString()).append('`');
    }
    return said.toString();
  }

  /** The object a {@code $ref} points at inside the document, followed to its end. */
  private JsonNode resolved(JsonNode node) {
    JsonNode at = node;
    for (int hops = 0; at.has("$ref") && hops < 10; hops++) {
      String ref = at.get("$ref").asText();
      if (!ref.startsWith("#/")) {
        return at;
      }
      at = document.at(ref.substring(1));
    }
    return at;
  }

  private static String code(List<String> values, String joint) {
    return values.stream().map(v -> "`" + v + "`").reduce((a, b) -> a + joint + b).orElse("");
  }

  /** Text as a paragraph, blank lines kept as paragraph breaks. */
  private void paragraph(String text) {
    if (text.isBlank()) {
      return;
    }
    line(escaped(text.strip()));
    line("");
  }

  /** Text for a table cell: on one line, no pipe ending the cell. */
  private static String cell(String text) {
    return escaped(text).replace("\n", " ").replace("|", "\\|");
  }

  /**
   * Text with every angle bracket outside code spans written as an entity, so GitHub does not
   * read {@code <id>} as an HTML tag and drop it.
   */
  private static String escaped(String text) {
    StringBuilder written = new StringBuilder();
    boolean inCode = false;
    for (char c : text.toCharArray()) {
      if (c == '`') {
        inCode = !inCode;
      }
      if (!inCode && c == '<') {
        written.append("&lt;");
      } else if (!inCode && c == '>') {
        written.append("&gt;");
      } else {
        written.append(c);
      }
    }
    return written.toString();
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
