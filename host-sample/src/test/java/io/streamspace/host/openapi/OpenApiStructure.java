package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structural faults of an OpenAPI 3.1 document that a reader (Swagger UI, a client
 * generator) trips on: another version, an operation without responses, a {@code $ref} that
 * points nowhere, a path parameter not declared, an operation id used twice.
 */
public final class OpenApiStructure {

  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");

  private OpenApiStructure() {}

  /** Every fault found, each as one sentence; empty for a sound document. */
  public static List<String> faults(JsonNode document) {
    List<String> faults = new ArrayList<>();
    if (!document.path("openapi").asText().matches("3\\.1\\.\\d+")) {
      faults.add("openapi is not 3.1.x: " + document.path("openapi"));
    }
    if (!document.path("info").hasNonNull("title")
        || !document.path("info").hasNonNull("version")) {
      faults.add("info lacks its title or version");
    }
    refs(document, document, "#", faults);
    Set<String> operationIds = new HashSet<>();
    RouteCoverage.operations(document)
        .forEach(
            route -> {
              JsonNode pathItem = document.path("paths").path(route.path());
              JsonNode operation = pathItem.path(route.method().toLowerCase());
              if (!operation.path("responses").isObject()
                  || operation.path("responses").isEmpty()) {
                faults.add(route + " has no responses");
              }
              String id = operation.path("operationId").asText(null);
              if (id != null && !operationIds.add(id)) {
                faults.add(route + " repeats the operationId " + id);
              }
              Set<String> declared = pathParameters(document, pathItem);
              declared.addAll(pathParameters(document, operation));
              Matcher template = TEMPLATE.matcher(route.path());
              while (template.find()) {
                if (!declared.contains(template.group(1))) {
                  faults.add(route + " does not declare its path parameter " + template.group(1));
                }
              }
            });
    return faults;
  }

  private static Set<String> pathParameters(JsonNode document, JsonNode holder) {
    Set<String> names = new HashSet<>();
    for (JsonNode parameter : holder.path("parameters")) {
      JsonNode resolved =
          parameter.has("$ref")
              ? document.at(parameter.get("$ref").asText().substring(1))
              : parameter;
      if (resolved.path("in").asText().equals("path")) {
        names.add(resolved.path("name").asText());
      }
    }
    return names;
  }

  private static void refs(JsonNode document, JsonNode node, String at, List<String> faults) {
    JsonNode ref = node.get("$ref");
    if (ref != null && ref.isTextual()) {
      String target = ref.asText();
      if (!target.startsWith("#/") || document.at(target.substring(1)).isMissingNode()) {
        faults.add(at + " refers to " + target + ", which is not in the document");
      }
    }
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field -> refs(document, field.getValue(), at + "/" + field.getKey(), faults));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        refs(document, node.get(i), at + "/" + i, faults);
      }
    }
  }
}
