package io.streamspace.host.plugins;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Who changed which keys of a plugin's saved configuration, for the log: each key with its old
 * and new value, except secret keys, named only. A secret never reaches the saved config (it is
 * stored apart, encrypted), so neither value shown can be one.
 *
 * @param changedKeys dotted names of the keys added, removed or given another value, sorted;
 *                    an array counts as one value
 * @param before the saved config before (no secret in it)
 * @param after the saved config after (no secret in it)
 * @param secretsGiven the secret keys given a value, stored apart
 */
record ConfigChange(
    String pluginId,
    String changedBy,
    List<String> changedKeys,
    JsonNode before,
    JsonNode after,
    Set<String> secretsGiven) {

  /** Longer values (a list of plans...) are cut: the saved config is one GET away. */
  private static final int MAX_SHOWN_VALUE = 80;

  /** Numbers are equal by value: 0.10 is 0.1. */
  private static final Comparator<JsonNode> SAME_VALUE =
      (a, b) ->
          a.isNumber() && b.isNumber()
              ? a.decimalValue().compareTo(b.decimalValue())
              : a.equals(b) ? 0 : 1;

  ConfigChange {
    changedKeys = List.copyOf(changedKeys);
    secretsGiven = Set.copyOf(secretsGiven);
  }

  /**
   * The change from the saved config {@code before} to {@code after} (JSON objects), and the
   * secret keys given a value (stored apart, so not in either).
   */
  static ConfigChange between(
      String pluginId,
      String changedBy,
      JsonNode before,
      JsonNode after,
      Collection<String> secretsGiven) {
    TreeSet<String> keys = new TreeSet<>(changedKeys(before, after));
    keys.addAll(secretsGiven);
    return new ConfigChange(
        pluginId, changedBy, List.copyOf(keys), before, after, Set.copyOf(secretsGiven));
  }

  /** The dotted names of the keys that differ between two JSON objects, sorted. */
  static List<String> changedKeys(JsonNode before, JsonNode after) {
    List<String> keys = new ArrayList<>();
    collect("", before, after, keys);
    return keys.stream().sorted().toList();
  }

  private static void collect(String prefix, JsonNode before, JsonNode after, List<String> keys) {
    TreeSet<String> names = new TreeSet<>();
    before.fieldNames().forEachRemaining(names::add);
    after.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode was = before.get(name);
      JsonNode is = after.get(name);
      String key = prefix + name;
      if (was != null && is != null && was.isObject() && is.isObject()) {
        collect(key + ".", was, is, keys);
      } else if (was == null || is == null || !was.equals(SAME_VALUE, is)) {
        keys.add(key);
      }
    }
  }

  /**
   * The log line: the plugin, the caller's user id and each key changed, {@code key old -> new}
   * ({@code unset} when absent), a secret as {@code key changed (secret)}.
   */
  String describe() {
    return "Configuration of plugin "
        + pluginId
        + " changed by "
        + changedBy
        + ": "
        + (changedKeys.isEmpty()
            ? "no key changed"
            : changedKeys.stream().map(this::describe).collect(Collectors.joining(", ")));
  }

  private String describe(String key) {
    if (secretsGiven.contains(key)) {
      return key + " changed (secret)";
    }
    JsonPointer pointer = JsonPointer.compile("/" + key.replace('.', '/'));
    return key + " " + shown(before.at(pointer)) + " -> " + shown(after.at(pointer));
  }

  private static String shown(JsonNode value) {
    if (value.isMissingNode()) {
      return "unset";
    }
    String text = value.toString();
    return text.length() <= MAX_SHOWN_VALUE ? text : text.substring(0, MAX_SHOWN_VALUE) + "...";
  }
}
