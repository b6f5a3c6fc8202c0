package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meter.Aggregation;
import io.streamspace.billing.catalog.Meters;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * meters: the meters plans may limit, packs may add to and the platform may report, in the order
 * they are shown. An element is a built-in meter, listed by its {@code id} (its name, unit and
 * aggregation may be repeated, never changed; it is priced by computeRates or meterRates), or a
 * custom counter: {@code {"id", "name", "unit", "kind"?: "counter", "aggregation": "sum"|"max",
 * "prices": {"USD": 0.02}}}, or a held meter, an amount sessions hold priced per unit-hour:
 * {@code {"id", "name", "unit", "kind": "held", "prices": {"USD": 0.90}}}. The four meters
 * measured from sessions must stay listed; {@code members} (seats, measured from memberships)
 * is always there, last when the list does not name it (so a list
 * written before it existed keeps working). When an element is refused, the list keeps its
 * default (the eight built-in meters); whether plans, packs and prices agree with it, the
 * parser checks across keys.
 */
final class MeterList {

  static final ValueType<Aggregation> AGGREGATION =
      ValueType.oneOf(List.of(Aggregation.values()), Aggregation::configName);
  static final ValueType<Meters> TYPE =
      new ValueType<>("array", null, MeterList::read, MeterList::write);

  private static final Set<String> FIELDS =
      Set.of("id", "name", "unit", "kind", "aggregation", "prices");

  private static final String COUNTER = "counter";
  private static final String HELD = "held";

  private MeterList() {}

  private static Meters read(JsonNode value, Meters fallback, Reading.At at) {
    if (!value.isArray() || value.isEmpty()) {
      return at.refuse("must be a non-empty array of meters", fallback);
    }
    List<Meter> meters = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    boolean refused = false;
    for (int i = 0; i < value.size(); i++) {
      Reading.At meterAt = at.element(i);
      Meter meter = value.get(i) instanceof ObjectNode object ? meter(object, meterAt) : null;
      if (meter == null) {
        if (!(value.get(i) instanceof ObjectNode)) {
          meterAt.refuse("must be an object");
        }
        refused = true;
      } else if (!ids.add(meter.configName())) {
        meterAt.member("id").refuse("duplicate meter id " + meter.configName());
        refused = true;
      } else {
        meters.add(meter);
      }
    }
    for (Meter session : Meter.BUILT_IN) {
      if ((session.measure() == Meter.Measure.CONCURRENT
              || session.measure() == Meter.Measure.GAUGE)
          && !ids.contains(session.configName())) {
        at.refuse(
            "must list "
                + session.configName()
                + ": it is measured from sessions, so it cannot be removed");
        refused = true;
      }
    }
    if (!ids.contains(Meter.MEMBERS.configName())) {
      meters.add(Meter.MEMBERS);
    }
    return refused ? fallback : new Meters(meters);
  }

  /** One element, or null when refused (each problem told at its place). */
  private static Meter meter(ObjectNode object, Reading.At at) {
    int problems = problemsSoFar(at);
    at.refuseUnknown(object, FIELDS);
    if (!at.required(object, "id")) {
      return null;
    }
    JsonNode idNode = object.get("id");
    String id = idNode.isTextual() ? idNode.textValue() : "";
    if (!Meter.ID.matcher(id).matches()) {
      at.member("id")
          .refuse(
              "must be 1 to 40 lower case letters, digits or underscores, a letter first,"
                  + " for example gpu_minutes");
      return null;
    }
    Meter builtIn = Meter.builtIn(id).orElse(null);
    if (builtIn != null) {
      return builtIn(object, builtIn, at) && problemsSoFar(at) == problems ? builtIn : null;
    }
    String kind = kind(object, at);
    if (kind == null) {
      return null;
    }
    if (kind.equals(HELD)) {
      return held(object, id, at, problems);
    }
    List.of("name", "unit", "aggregation", "prices").forEach(name -> at.required(object, name));
    String name = at.read(object, "name", Plans.ID, null);
    String unit = at.read(object, "unit", Plans.ID, null);
    Aggregation aggregation = at.read(object, "aggregation", AGGREGATION, null);
    Map<Currency, BigDecimal> prices = Plans.prices(object.get("prices"), at.member("prices"));
    if (problemsSoFar(at) != problems || name == null || unit == null || aggregation == null) {
      return null;
    }
    return Meter.custom(id, name, unit, aggregation, prices);
  }

  /** The element's kind: counter when absent; null when refused. */
  private static String kind(ObjectNode object, Reading.At at) {
    JsonNode kind = object.get("kind");
    if (kind == null) {
      return COUNTER;
    }
    if (kind.isTextual() && (kind.textValue().equals(COUNTER) || kind.textValue().equals(HELD))) {
      return kind.textValue();
    }
    at.member("kind")
        .refuse(
            "must be counter (reported with usage.reported) or held (held by "
                + "sessions, in their events' resources)");
    return null;
  }

  /** A held meter's element: {@code {"id", "name", "unit", "kind": "held", "prices"}}. */
  private static Meter held(ObjectNode object, String id, Reading.At at, int problems) {
    if (Meter.RESOURCES.contains(id)) {
      at.member("id")
          .refuse("is a built-in resource's name (cpu, memory, storage): choose another");
      return null;
    }
    if (object.has("aggregation")) {
      at.member("aggregation").refuse("is not for a held meter: it is priced per unit-hour held");
    }
    List.of("name", "unit", "prices").forEach(name -> at.required(object, name));
    String name = at.read(object, "name", Plans.ID, null);
    String unit = at.read(object, "unit", Plans.ID, null);
    Map<Currency, BigDecimal> prices = Plans.prices(object.get("prices"), at.member("prices"));
    if (problemsSoFar(at) != problems || name == null || unit == null) {
      return null;
    }
    return Meter.held(id, name, unit, prices);
  }

  /** A built-in meter's element may repeat what it is, never change it. */
  private static boolean builtIn(ObjectNode object, Meter meter, Reading.At at) {
    String what = "built-in meter " + meter.configName();
    if (object.has("prices")) {
      at.member("prices")
          .refuse(
              "is not for the "
                  + what
                  + ": "
                  + (meter.measure() == Meter.Measure.CONCURRENT
                          || meter.measure() == Meter.Measure.GAUGE
                      ? "computeRates and currencyRates price it"
                      : "meterRates and currencyMeterRates price it"));
    }
    if (object.has("kind")) {
      same(
          object,
          "kind",
          meter.measure() == Meter.Measure.PERIOD_COUNTER ? COUNTER : "(none: omit it)",
          what,
          at);
    }
    same(object, "name", meter.name(), what, at);
    same(object, "unit", meter.unit(), what, at);
    same(object, "aggregation", meter.aggregation().configName(), what, at);
    return true;
  }

  private static void same(
      ObjectNode object, String member, String fixed, String what, Reading.At at) {
    JsonNode given = object.get(member);
    if (given != null && !(given.isTextual() && given.textValue().equals(fixed))) {
      at.member(member).refuse("is " + fixed + " for the " + what + ": it cannot be changed");
    }
  }

  /** The meter's index in the saved list, where a check across keys names it; else {@code i}. */
  static int position(Reading reading, Meter meter, int i) {
    JsonNode saved = reading.savedValue(BillingKeys.METERS);
    if (saved != null && saved.isArray()) {
      for (int k = 0; k < saved.size(); k++) {
        JsonNode id = saved.get(k).get("id");
        if (id != null && meter.configName().equals(id.asText())) {
          return k;
        }
      }
    }
    return i;
  }

  private static int problemsSoFar(Reading.At at) {
    return at.reading().problemCount();
  }

  private static JsonNode write(Meters meters) {
    ArrayNode written = JSON.arrayNode();
    for (Meter meter : meters.all()) {
      ObjectNode object =
          written
              .addObject()
              .put("id", meter.configName())
              .put("name", meter.name())
              .put("unit", meter.unit());
      if (meter.measure() == Meter.Measure.HELD) {
        object.put("kind", HELD);
      } else {
        object.put("aggregation", meter.aggregation().configName());
      }
      if (!meter.isBuiltIn()) {
        object.set("prices", Rates.byCode(meter.prices(), AMOUNT::write));
      }
    }
    return written;
  }
}
