package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * activityRates: the factor a held resource's unit price is multiplied by while a session is idle
 * or disconnected (its events' {@code session.activity}), per state and resource: {@code
 * {"idle": {"cpu_cores": 0.5}, "disconnected": {"cpu_cores": 0.25, "gpu": 0}}}. Resources are
 * {@code cpu_cores}, {@code memory_gb} and the held meters' ids; storage is the organization's,
 * not the session's, and keeps its price. A factor is from 0 to 1 with at most 6 decimals: an idle
 * price is a discount, never a surcharge. Anything not named has the factor 1, so an operator who
 * does not opt in bills as before.
 *
 * @param factors the factors other than 1, by state ({@code idle}, {@code disconnected}) and
 *                resource type ({@code cpu}, {@code memory}, a held meter's id); sorted
 */
public record ActivityRates(Map<String, Map<String, BigDecimal>> factors) {

  /** The states a factor may be given for. */
  public static final List<String> STATES = List.of("idle", "disconnected");

  /** No factor: every state at the full price, the default. */
  public static final ActivityRates NONE = new ActivityRates(Map.of());

  static final ValueType<ActivityRates> TYPE =
      new ValueType<>("object", "0-1", ActivityRates::read, ActivityRates::write);

  private static final int MAX_DECIMALS = 6;

  public ActivityRates {
    TreeMap<String, Map<String, BigDecimal>> sorted = new TreeMap<>();
    factors.forEach(
        (state, its) -> {
          if (!its.isEmpty()) {
            sorted.put(state, Collections.unmodifiableSortedMap(new TreeMap<>(its)));
          }
        });
    factors = Collections.unmodifiableSortedMap(sorted);
  }

  /** The factor of a resource in a state ({@code active} and anything not named: 1). */
  public BigDecimal factor(String state, UsageUnit unit) {
    return factors.getOrDefault(state, Map.of()).getOrDefault(unit.resourceType(), BigDecimal.ONE);
  }

  /** Whether any factor differs from 1: otherwise activity changes no price. */
  public boolean any() {
    return !factors.isEmpty();
  }

  private static ActivityRates read(JsonNode value, ActivityRates fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    List<String> held = at.reading().value(BillingKeys.METERS).heldIds();
    Map<String, Map<String, BigDecimal>> factors = new TreeMap<>();
    int problems = at.reading().problemCount();
    for (Map.Entry<String, JsonNode> state : object.properties()) {
      Reading.At stateAt = at.member(state.getKey());
      if (!STATES.contains(state.getKey())) {
        stateAt.refuse("must be idle or disconnected");
        continue;
      }
      ObjectNode resources = stateAt.object(state.getValue());
      if (resources == null) {
        continue;
      }
      Map<String, BigDecimal> its = new TreeMap<>();
      for (Map.Entry<String, JsonNode> resource : resources.properties()) {
        Reading.At resourceAt = stateAt.member(resource.getKey());
        String type = resourceType(resource.getKey(), held);
        BigDecimal factor = factor(resource.getValue());
        if (type == null) {
          resourceAt.refuse("must be cpu_cores, memory_gb or the id of a held meter of meters");
        } else if (factor == null) {
          resourceAt.refuse("must be a number from 0 to 1 with at most 6 decimals");
        } else if (factor.compareTo(BigDecimal.ONE) != 0) {
          its.put(type, factor);
        }
      }
      factors.put(state.getKey(), its);
    }
    return at.reading().problemCount() > problems ? fallback : new ActivityRates(factors);
  }

  private static String resourceType(String name, List<String> held) {
    if (name.equals("cpu_cores")) {
      return UsageUnit.CPU.resourceType();
    }
    if (name.equals("memory_gb")) {
      return UsageUnit.MEMORY.resourceType();
    }
    return held.contains(name) ? name : null;
  }

  private static BigDecimal factor(JsonNode value) {
    if (!value.isNumber()) {
      return null;
    }
    BigDecimal factor = value.decimalValue();
    boolean fits =
        factor.signum() >= 0
            && factor.compareTo(BigDecimal.ONE) <= 0
            && factor.stripTrailingZeros().scale() <= MAX_DECIMALS;
    return fits ? new BigDecimal(factor.stripTrailingZeros().toPlainString()) : null;
  }

  private static JsonNode write(ActivityRates rates) {
    ObjectNode written = JSON.objectNode();
    rates.factors.forEach(
        (state, its) -> {
          ObjectNode resources = written.putObject(state);
          its.forEach(
              (type, factor) ->
                  resources.put(
                      type.equals(UsageUnit.CPU.resourceType())
                          ? "cpu_cores"
                          : type.equals(UsageUnit.MEMORY.resourceType()) ? "memory_gb" : type,
                      factor));
        });
    return written;
  }
}
