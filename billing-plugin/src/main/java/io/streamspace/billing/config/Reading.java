package io.streamspace.billing.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of saved config JSON: the keys read so far and the problems found. A key is read
 * once, when first asked for, so a key's type may ask for a key listed after its own
 * (currencyRates asks for currency). A key absent or refused has its default.
 */
final class Reading {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  final CronValidator cronValidator;
  private final ObjectNode saved;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final List<ConfigProblem> problems = new ArrayList<>();

  /** Reads {@code json}; blank text means "nothing saved". */
  Reading(String json, CronValidator cronValidator) {
    this.cronValidator = cronValidator;
    this.saved = json == null || json.isBlank() ? MAPPER.createObjectNode() : savedObject(json);
  }

  private ObjectNode savedObject(String json) {
    try {
      if (MAPPER.readTree(json) instanceof ObjectNode object) {
        return object;
      }
      at("$").refuse("config must be a JSON object");
    } catch (JsonProcessingException e) {
      at("$").refuse("config is not valid JSON: " + e.getOriginalMessage());
    }
    return MAPPER.createObjectNode();
  }

  /** Whether the key, or anything under it, was refused. */
  boolean refused(String key) {
    return problems.stream()
        .map(ConfigProblem::key)
        .anyMatch(at -> at.equals(key) || at.startsWith(key + ".") || at.startsWith(key + "["));
  }

  /** How many problems were found so far. */
  int problemCount() {
    return problems.size();
  }

  /** The keys saved, in the order written. */
  List<String> savedNames() {
    List<String> names = new ArrayList<>();
    saved.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The key's value: as saved when accepted, else its default. */
  <T> T value(BillingKey<T> key) {
    if (!values.containsKey(key.name())) {
      values.put(key.name(), at("").read(saved, key.name(), key.type(), key.defaultValue()));
    }
    return key.valueIn(values);
  }

  /** Takes a key back to its default, when a check across keys refused its value. */
  void reset(BillingKey<?> key) {
    values.put(key.name(), key.defaultValue());
  }

  /**
   * Puts a value of the key's type in effect instead of the one read: what a check across keys
   * leaves of a default that only partly fits the rest of the config ({@link DefaultCurrencies}).
   */
  <T> void set(BillingKey<T> key, T value) {
    values.put(key.name(), value);
  }

  /** Whether the key is in the saved config (refused or not). */
  boolean saved(BillingKey<?> key) {
    return saved.has(key.name());
  }

  /** The key's value as saved, or null when it is not saved. */
  com.fasterxml.jackson.databind.JsonNode savedValue(BillingKey<?> key) {
    return saved.get(key.name());
  }

  ConfigParseResult result() {
    return new ConfigParseResult(new BillingConfig(values), problems);
  }

  /** The place of that dotted key ({@code ""} for the whole config's keys). */
  At at(String key) {
    return new At(key, this);
  }

  /**
   * A place in the saved config, which each problem found there names by its dotted key: {@code
   * invoiceDay}, {@code computeRates.cpu_per_core_hour}, {@code subscriptionPlans[1].price}.
   */
  record At(String key, Reading reading) {

    void refuse(String message) {
      reading.problems.add(new ConfigProblem(key, message));
    }

    /** Refuses the value here; answers {@code fallback}, to use instead. */
    <T> T refuse(String message, T fallback) {
      refuse(message);
      return fallback;
    }

    At member(String name) {
      return new At(key.isEmpty() ? name : key + "." + name, reading);
    }

    At element(int index) {
      return new At(key + "[" + index + "]", reading);
    }

    /** The member {@code name} of {@code object} read by {@code type}; fallback when absent. */
    <T> T read(ObjectNode object, String name, ValueType<T> type, T fallback) {
      JsonNode value = object.get(name);
      return value == null ? fallback : type.read(value, fallback, member(name));
    }

    /** The value as an object; null when absent, JSON null or (refused) anything else. */
    ObjectNode object(JsonNode value) {
      if (value == null || value.isNull()) {
        return null;
      }
      return value instanceof ObjectNode object ? object : refuse("must be an object", null);
    }

    /** Refuses, as typos, the members of {@code object} not in {@code known}. */
    void refuseUnknown(ObjectNode object, Collection<String> known) {
      object.properties().stream()
          .filter(member -> !known.contains(member.getKey()))
          .forEach(member -> member(member.getKey()).refuse("unknown key"));
    }

    /** Refuses a missing (or null) member; answers whether it is there. */
    boolean required(ObjectNode object, String name) {
      return object.hasNonNull(name) || member(name).refuse("is required", false);
    }
  }
}
