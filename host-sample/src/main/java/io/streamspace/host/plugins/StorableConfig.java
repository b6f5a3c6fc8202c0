package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What {@code host_plugins.config} (jsonb) can hold: no NUL character (U+0000) in any string or
 * member name, which PostgreSQL refuses (a 500 at saving, where a 400 naming the key belongs).
 */
final class StorableConfig {

  private StorableConfig() {}

  /** A problem for each key (dotted, arrays indexed) whose string holds a NUL character. */
  static List<ConfigProblem> problems(JsonNode config) {
    List<ConfigProblem> problems = new ArrayList<>();
    collect(config, "", problems);
    return problems;
  }

  private static void collect(JsonNode node, String key, List<ConfigProblem> problems) {
    if (node.isTextual() && hasNul(node.textValue())) {
      problems.add(new ConfigProblem(key, "must not contain a NUL character"));
    }
    for (int i = 0; node.isArray() && i < node.size(); i++) {
      collect(node.get(i), key + "[" + i + "]", problems);
    }
    for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      String name = key.isEmpty() ? member.getKey() : key + "." + member.getKey();
      if (hasNul(member.getKey())) {
        problems.add(
            new ConfigProblem(key.isEmpty() ? "$" : key, "a key must not contain a NUL character"));
      } else {
        collect(member.getValue(), name, problems);
      }
    }
  }

  private static boolean hasNul(String text) {
    return text.indexOf('\0') >= 0;
  }
}
