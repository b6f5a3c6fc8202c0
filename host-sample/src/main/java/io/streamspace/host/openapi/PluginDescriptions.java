package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a plugin's OpenAPI description into the host's document. Its paths move under {@code
 * /api/plugins/{id}}; its components are renamed {@code <id>.<name>} and every {@code $ref} to
 * them rewritten, so two plugins' {@code Invoice} schemas cannot clash; its operation ids and
 * tags take the plugin id as a prefix; each operation states its own security, so the host
 * document's default (a bearer token) is not imposed on a route the plugin serves to anyone. The
 * plugin's {@code info.description} (what holds for all its routes) becomes the description of a
 * tag named by its id, the tag its untagged operations get, where a viewer shows it.
 */
final class PluginDescriptions {

  private PluginDescriptions() {}

  static void mergeInto(ObjectNode document, String pluginId, ObjectNode description) {
    ObjectNode plugin = description.deepCopy();
    String prefix = pluginId.replaceAll("[^A-Za-z0-9._-]", "_") + ".";
    String mount = "/api/plugins/" + pluginId;
    rewriteRefs(plugin, prefix, pointerEscaped(mount));
    Map<String, String> schemes = renameComponents(document, plugin, prefix);
    JsonNode defaultSecurity = renamedSecurity(plugin.get("security"), schemes);
    ObjectNode paths = document.with("paths");
    plugin
        .path("paths")
        .fields()
        .forEachRemaining(
            path -> {
              String relative = path.getKey().equals("/") ? "" : path.getKey();
              JsonNode item = path.getValue();
              if (item instanceof ObjectNode pathItem) {
                adaptOperations(pathItem, pluginId, defaultSecurity, schemes);
              }
              paths.set(mount + relative, item);
            });
    String about = description.path("info").path("description").asText("");
    if (!about.isEmpty()) {
      ArrayNode tags =
          document.get("tags") instanceof ArrayNode existing ? existing : document.putArray("tags");
      tags.addObject().put("name", pluginId).put("description", about);
    }
  }

  /** Moves the plugin's components into the document under new names; answers the schemes. */
  private static Map<String, String> renameComponents(
      ObjectNode document, ObjectNode plugin, String prefix) {
    Map<String, String> schemes = new HashMap<>();
    plugin
        .path("components")
        .fields()
        .forEachRemaining(
            kind -> {
              ObjectNode target = document.with("components").with(kind.getKey());
              kind.getValue()
                  .fields()
                  .forEachRemaining(
                      component -> {
                        target.set(prefix + component.getKey(), component.getValue());
                        if (kind.getKey().equals("securitySchemes")) {
                          schemes.put(component.getKey(), prefix + component.getKey());
                        }
                      });
            });
    plugin.remove("components");
    return schemes;
  }

  /** Points every local {@code $ref} at the renamed component or the moved path. */
  private static void rewriteRefs(JsonNode node, String prefix, String escapedMount) {
    if (node instanceof ObjectNode object) {
      JsonNode ref = object.get("$ref");
      if (ref != null && ref.isTextual()) {
        object.set("$ref", TextNode.valueOf(rewritten(ref.asText(), prefix, escapedMount)));
      }
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        rewriteRefs(child, prefix, escapedMount);
      }
    }
  }

  private static String rewritten(String ref, String prefix, String escapedMount) {
    if (ref.startsWith("#/components/")) {
      int kindEnd = ref.indexOf('/', "#/components/".length());
      return kindEnd < 0
          ? ref
          : ref.substring(0, kindEnd + 1) + prefix + ref.substring(kindEnd + 1);
    }
    if (ref.startsWith("#/paths/")) {
      return "#/paths/" + escapedMount + ref.substring("#/paths/".length());
    }
    return ref;
  }

  private static void adaptOperations(
      ObjectNode pathItem, String pluginId, JsonNode defaultSecurity, Map<String, String> schemes) {
    pathItem
        .fields()
        .forEachRemaining(
            field -> {
              if (RouteCoverage.isOperation(field.getKey())
                  && field.getValue() instanceof ObjectNode operation) {
                adaptOperation(operation, pluginId, defaultSecurity, schemes);
              }
            });
  }

  private static void adaptOperation(
      ObjectNode operation,
      String pluginId,
      JsonNode defaultSecurity,
      Map<String, String> schemes) {
    JsonNode operationId = operation.get("operationId");
    if (operationId != null && operationId.isTextual()) {
      operation.put("operationId", pluginId + "." + operationId.asText());
    }
    List<String> own = new ArrayList<>();
    operation.path("tags").forEach(tag -> own.add(tag.asText()));
    ArrayNode tags = operation.putArray("tags");
    if (own.isEmpty()) {
      tags.add(pluginId);
    }
    own.forEach(tag -> tags.add(pluginId + ": " + tag));
    JsonNode security = operation.get("security");
    operation.set(
        "security",
        security == null ? defaultSecurity.deepCopy() : renamedSecurity(security, schemes));
  }

  /** A security requirement list with the schemes renamed; none given: none required. */
  private static JsonNode renamedSecurity(JsonNode security, Map<String, String> schemes) {
    ArrayNode renamed = JsonNodeFactory.instance.arrayNode();
    if (security == null || !security.isArray()) {
      return renamed;
    }
    for (JsonNode requirement : security) {
      ObjectNode copy = renamed.addObject();
      requirement
          .fields()
          .forEachRemaining(
              scheme ->
                  copy.set(
                      schemes.getOrDefault(scheme.getKey(), scheme.getKey()), scheme.getValue()));
    }
    return renamed;
  }

  /** A path as one JSON Pointer token: {@code ~} and {@code /} escaped (RFC 6901). */
  private static String pointerEscaped(String path) {
    return path.replace("~", "~0").replace("/", "~1");
  }
}
