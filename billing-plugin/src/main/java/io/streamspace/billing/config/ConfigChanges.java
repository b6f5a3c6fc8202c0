package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config in effect with some of its prices changed, for a what-if: the changes are written
 * over the effective config ({@link EffectiveConfigWriter}) and the whole is read by {@link
 * BillingConfigParser}, so a change is accepted exactly when the config would accept it saved.
 *
 * <p>The changes are named as the what-if's body names them, each standing for a config key:
 * {@code rates} ({@code computeRates}), {@code currency_rates}, {@code meter_rates} (the seat
 * price is its {@code members}), {@code currency_meter_rates}, {@code billing_mode}, {@code
 * plans}, an object of plan id to the plan's members to change (its prices and included
 * amounts), each merged over that plan of {@code subscriptionPlans}, and {@code meters}, an
 * object of meter id to the meter's members to change (a held or custom meter's {@code prices}),
 * each merged over that entry of {@code meters}. An object is merged over the key's object
 * member by member (so {@code {"cpu_per_core_hour": 0.10}} changes one rate); any other value
 * replaces it. Problems name the change as the body does: {@code rates.cpu_per_core_hour},
 * {@code plans.pro.price}, {@code meters.gpu.prices.USD}.
 */
public final class ConfigChanges {

  /** The body's name of each config key a what-if may change, in the config's order. */
  private static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("billing_mode", BillingKeys.BILLING_MODE.name());
    KEYS.put("rates", BillingKeys.COMPUTE_RATES.name());
    KEYS.put("currency_rates", BillingKeys.CURRENCY_RATES.name());
    KEYS.put("meter_rates", BillingKeys.METER_RATES.name());
    KEYS.put("currency_meter_rates", BillingKeys.CURRENCY_METER_RATES.name());
    KEYS.put("plans", BillingKeys.SUBSCRIPTION_PLANS.name());
    KEYS.put("meters", BillingKeys.METERS.name());
  }

  /** The changes whose config key is a list of entries with ids, changed entry by entry. */
  private static final Map<String, String> BY_ID = Map.of("plans", "plan", "meters", "meter");

  private ConfigChanges() {}

  /** The names a change may have, in order. */
  public static List<String> names() {
    return List.copyOf(KEYS.keySet());
  }

  /**
   * {@code current} with {@code changes} written over it, read as a saved config is; its problems
   * name the changes as {@code changes} does (a member of {@code changes} that is none of {@link
   * #names} is one).
   */
  public static ConfigParseResult apply(
      BillingConfig current, BillingConfigParser parser, ObjectNode changes) {
    ObjectNode tree = EffectiveConfigWriter.toTree(current, variable -> false);
    for (BillingKey<?> key : BillingKeys.ALL) {
      if (key.isSecret()) {
        tree.remove(key.name()); // never part of a saved config
      }
    }
    List<ConfigProblem> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> change = it.next();
      String name = change.getKey();
      String key = KEYS.get(name);
      if (key == null) {
        problems.add(
            new ConfigProblem(name, "unknown change: one of " + String.join(", ", names())));
      } else if (BY_ID.containsKey(name)) {
        changeById(name, (ArrayNode) tree.get(key), change.getValue(), problems);
      } else {
        tree.set(key, merged(tree.get(key), change.getValue()));
      }
    }
    if (!problems.isEmpty()) {
      return new ConfigParseResult(current, problems);
    }
    ConfigParseResult parsed = parser.parse(tree.toString());
    return new ConfigParseResult(
        parsed.config(),
        parsed.problems().stream()
            .map(p -> new ConfigProblem(changeName(p.key(), tree), p.message()))
            .toList());
  }

  /**
   * Each entry of the list {@code name} stands for that the change names, merged with its
   * members; an entry the list does not have is a problem.
   */
  private static void changeById(
      String name, ArrayNode entries, JsonNode change, List<ConfigProblem> problems) {
    String what = BY_ID.get(name);
    if (!change.isObject()) {
      problems.add(
          new ConfigProblem(
              name, "must be an object of %s id to %s changes".formatted(what, what)));
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = change.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = name + "." + entry.getKey();
      int index = -1;
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i).path("id").asText().equals(entry.getKey())) {
          index = i;
        }
      }
      if (index < 0) {
        problems.add(new ConfigProblem(at, "unknown " + what));
      } else if (!entry.getValue().isObject()) {
        problems.add(
            new ConfigProblem(
                at, "must be an object of the %s's members to change".formatted(what)));
      } else if (entry.getValue().has("id")) {
        problems.add(new ConfigProblem(at + ".id", "a %s's id cannot be changed".formatted(what)));
      } else {
        entries.set(index, merged(entries.get(index), entry.getValue()));
      }
    }
  }

  /** {@code change} written over {@code base}: objects member by member, else replaced. */
  private static JsonNode merged(JsonNode base, JsonNode change) {
    if (!(base instanceof ObjectNode object) || !change.isObject()) {
      return change;
    }
    ObjectNode result = object.deepCopy();
    change
        .fields()
        .forEachRemaining(
            member ->
                result.set(
                    member.getKey(),
                    result.has(member.getKey())
                        ? merged(result.get(member.getKey()), member.getValue())
                        : member.getValue()));
    return result;
  }

  /**
   * A config key named as the changes name it ({@code computeRates.x} is {@code rates.x}, {@code
   * subscriptionPlans[1].price} is {@code plans.pro.price}), the entries of {@code tree}'s lists
   * by their ids.
   */
  private static String changeName(String configKey, ObjectNode tree) {
    for (Map.Entry<String, String> key : KEYS.entrySet()) {
      String list = key.getValue() + "[";
      if (BY_ID.containsKey(key.getKey()) && configKey.startsWith(list)) {
        int close = configKey.indexOf(']');
        int index = Integer.parseInt(configKey.substring(list.length(), close));
        String id = tree.get(key.getValue()).path(index).path("id").asText();
        return key.getKey() + "." + id + configKey.substring(close + 1);
      }
      if (configKey.equals(key.getValue()) || configKey.startsWith(key.getValue() + ".")) {
        return key.getKey() + configKey.substring(key.getValue().length());
      }
    }
    return configKey;
  }
}
