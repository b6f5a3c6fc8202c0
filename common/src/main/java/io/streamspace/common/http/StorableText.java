package io.streamspace.common.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Text the database can store. PostgreSQL's {@code text} has no room for a NUL character
 * (U+0000): a query value, path segment or JSON string holding one would fail in the database
 * with a 500, so it is refused before any route reads it, naming the parameter (the billing
 * plugin's {@code JsonRoute} and {@link Json#readObject} check with it).
 */
public final class StorableText {

  private StorableText() {}

  /**
   * Checks every path segment and query value: 404 for a path segment (no resource has such a
   * name), 400 naming the query parameter.
   */
  public static void checkParameters(HttpRequest request) {
    for (Map.Entry<String, String> param : request.pathParams().entrySet()) {
      if (!storable(param.getValue())) {
        throw ApiException.notFound("no such " + param.getKey());
      }
    }
    for (Map.Entry<String, List<String>> param : request.query().entrySet()) {
      for (String value : param.getValue()) {
        if (!storable(value)) {
          throw refused(param.getKey());
        }
      }
    }
  }

  /** Checks every string and member name of a JSON body: 400 naming the member's path. */
  public static void checkJson(JsonNode node, String path) {
    if (node.isTextual() && !storable(node.textValue())) {
      throw refused(path);
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkJson(node.get(i), path + "[" + i + "]");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      String memberPath = path.isEmpty() ? member.getKey() : path + "." + member.getKey();
      if (!storable(member.getKey())) {
        throw refused(path.isEmpty() ? "$" : path);
      }
      checkJson(member.getValue(), memberPath);
    }
  }

  private static boolean storable(String text) {
    return text == null || text.indexOf('\0') < 0;
  }

  private static ApiException refused(String field) {
    return ApiException.badParameter(field, field + " must not contain a NUL character");
  }
}
