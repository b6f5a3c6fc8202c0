package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.CapacityPack.Kind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * capacityPacks: an array of packs, each an object with a unique {@code id}, a {@code name},
 * what it {@code adds} by meter (at least one, each above zero), its {@code prices} by ISO code
 * (whether they cover the supported currencies, the parser checks across keys), its {@code kind}
 * and, for a one-time pack only, its {@code valid_days}. When an element is not an object, the
 * packs keep their default.
 */
final class CapacityPacks {

  static final ValueType<Kind> KIND = ValueType.oneOf(List.of(Kind.values()), Kind::configName);
  static final ValueType<Integer> VALID_DAYS = ValueType.whole(1, 3650);
  static final ValueType<List<CapacityPack>> TYPE =
      new ValueType<>("array", null, CapacityPacks::read, CapacityPacks::write);

  private static final Set<String> FIELDS =
      Set.of("id", "name", "adds", "prices", "kind", "valid_days");

  private CapacityPacks() {}

  private static List<CapacityPack> read(
      JsonNode value, List<CapacityPack> fallback, Reading.At at) {
    if (!value.isArray()) {
      return at.refuse("must be an array of packs", fallback);
    }
    List<CapacityPack> packs = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      Reading.At packAt = at.element(i);
      if (!(value.get(i) instanceof ObjectNode pack)) {
        packAt.refuse("must be an object");
        continue;
      }
      packAt.refuseUnknown(pack, FIELDS);
      String id = packAt.required(pack, "id") ? packAt.read(pack, "id", Plans.ID, "") : "";
      if (!id.isBlank() && !ids.add(id)) {
        packAt.member("id").refuse("duplicate pack id " + id);
      }
      List.of("name", "adds", "prices", "kind").forEach(name -> packAt.required(pack, name));
      Kind kind = packAt.read(pack, "kind", KIND, null);
      packs.add(
          new CapacityPack(
              id,
              packAt.read(pack, "name", ValueType.text(), id),
              adds(pack.get("adds"), packAt.member("adds")),
              Plans.prices(pack.get("prices"), packAt.member("prices")),
              kind == null ? Kind.ONE_TIME : kind, // refused: the catalog keeps its default
              validDays(pack, kind, packAt)));
    }
    return packs.size() == value.size() ? List.copyOf(packs) : fallback;
  }

  /**
   * Required for a one-time pack, refused for a recurring one (it lasts until cancelled); not
   * judged while the kind is unknown.
   */
  private static Integer validDays(ObjectNode pack, Kind kind, Reading.At packAt) {
    if (kind == null) {
      return null;
    }
    if (kind == Kind.RECURRING) {
      if (pack.has("valid_days")) {
        packAt
            .member("valid_days")
            .refuse("is only for one_time packs: a recurring pack lasts until cancelled");
      }
      return null;
    }
    if (!pack.hasNonNull("valid_days")) {
      return packAt.member("valid_days").refuse("is required for a one_time pack", 30);
    }
    return packAt.read(pack, "valid_days", VALID_DAYS, 30);
  }

  /** {@code {"<meter>": amount above zero}}, at least one. */
  private static Map<Meter, BigDecimal> adds(JsonNode value, Reading.At at) {
    Map<Meter, BigDecimal> adds = new LinkedHashMap<>();
    ObjectNode object = at.object(value);
    if (object == null) {
      return adds;
    }
    Meters meters = at.reading().value(BillingKeys.METERS);
    if (object.isEmpty()) {
      at.refuse("must add at least one meter");
    }
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At addAt = at.member(entry.getKey());
      Meter meter = meters.named(entry.getKey()).orElse(null);
      if (meter == null) {
        addAt.refuse("unknown meter: must be one of meters (" + meters.listed() + ")");
        continue;
      }
      if (meter.measure() == Meter.Measure.SEATS) {
        // seats are a plan's: its members limit is what is included, billed beyond per seat
        addAt.refuse("is not sold in packs: a plan's members limit gives its included seats");
        continue;
      }
      BigDecimal amount = AMOUNT.read(entry.getValue(), null, addAt);
      if (amount != null && amount.signum() == 0) {
        addAt.refuse("must be above zero");
      } else if (amount != null) {
        adds.put(meter, amount);
      }
    }
    return adds;
  }

  /**
   * Without trailing zeros and never in exponent form: the host reads 40.00 back as 4E+1 and
   * would show it so; 40 it shows as 40.
   */
  private static BigDecimal plain(BigDecimal amount) {
    BigDecimal stripped = amount.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  private static JsonNode write(List<CapacityPack> packs) {
    ArrayNode written = JSON.arrayNode();
    for (CapacityPack pack : packs) {
      ObjectNode object = written.addObject().put("id", pack.id()).put("name", pack.name());
      ObjectNode adds = object.putObject("adds");
      pack.adds().entrySet().stream()
          .sorted(Map.Entry.comparingByKey(Meters.BUILT_IN_FIRST))
          .forEach(add -> adds.put(add.getKey().configName(), plain(add.getValue())));
      object.set("prices", Rates.byCode(pack.prices(), price -> JSON.numberNode(plain(price))));
      object.put("kind", pack.kind().configName());
      if (pack.validDays() != null) {
        object.put("valid_days", pack.validDays());
      }
    }
    return written;
  }
}
