package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.share.ResetPeriod;
import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.catalog.share.ShareTerms;
import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * storeRevenueShare: the add-on store's share table and minimum payout per currency, keyed by ISO
 * code: {@code {"USD": {"tiers": [{"from": 0, "platform_rate": 0}, {"from": 1000000,
 * "platform_rate": 0.15}], "reset": "calendar_year", "cap": null, "minimum_payout": 50}}}. A
 * currency left out keeps its default; a refused currency keeps its default too, so a sale is
 * never split by half a table. The rules of the table ({@link ShareTable}: tiers from 0,
 * ascending, rates 0 to 1, amounts of the currency) are refused with the table's own sentence.
 */
final class StoreRevenueShare {

  static final ValueType<ResetPeriod> RESET =
      ValueType.oneOf(List.of(ResetPeriod.values()), StoreRevenueShare::resetName);
  static final ValueType<Map<Currency, ShareTerms>> TYPE =
      new ValueType<>("object", null, StoreRevenueShare::read, StoreRevenueShare::write);

  private static final Set<String> FIELDS = Set.of("tiers", "reset", "cap", "minimum_payout");
  private static final Set<String> TIER_FIELDS = Set.of("from", "platform_rate");

  private StoreRevenueShare() {}

  static String resetName(ResetPeriod period) {
    return period.name().toLowerCase(Locale.ROOT);
  }

  private static Map<Currency, ShareTerms> read(
      JsonNode value, Map<Currency, ShareTerms> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Map<Currency, ShareTerms> terms = new LinkedHashMap<>(fallback);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At termsAt = at.member(entry.getKey());
      Currency currency = Money.currency(entry.getKey()).orElse(null);
      if (currency == null) {
        termsAt.refuse("must be a known ISO 4217 currency code, for example USD");
        continue;
      }
      ObjectNode saved = termsAt.object(entry.getValue());
      if (saved != null) {
        terms(saved, currency, termsAt).ifPresent(read -> terms.put(currency, read));
      }
    }
    return Map.copyOf(terms);
  }

  /** The terms saved for one currency; empty once refused (each problem named). */
  private static Optional<ShareTerms> terms(ObjectNode saved, Currency currency, Reading.At at) {
    int problems = at.reading().problemCount();
    at.refuseUnknown(saved, FIELDS);
    at.required(saved, "tiers");
    at.required(saved, "reset");
    List<Tier> tiers = tiers(saved.get("tiers"), at.member("tiers"));
    ResetPeriod reset = at.read(saved, "reset", RESET, ResetPeriod.NEVER);
    BigDecimal cap = at.read(saved, "cap", AMOUNT, null);
    BigDecimal minimum = at.read(saved, "minimum_payout", AMOUNT, BigDecimal.ZERO);
    if (at.reading().problemCount() > problems) {
      return Optional.empty();
    }
    try {
      ShareTable table = new ShareTable(currency, tiers, reset, Optional.ofNullable(cap));
      return Optional.of(new ShareTerms(table, minimum));
    } catch (IllegalArgumentException e) {
      at.refuse(e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code [{"from": amount, "platform_rate": 0 to 1}, …]}, at least one. */
  private static List<Tier> tiers(JsonNode value, Reading.At at) {
    List<Tier> tiers = new ArrayList<>();
    if (value == null || value.isNull()) {
      return tiers;
    }
    if (!value.isArray() || value.isEmpty()) {
      at.refuse("must be an array of at least one tier {from, platform_rate}");
      return tiers;
    }
    for (int i = 0; i < value.size(); i++) {
      Reading.At tierAt = at.element(i);
      if (!(value.get(i) instanceof ObjectNode tier)) {
        tierAt.refuse("must be an object {from, platform_rate}");
        continue;
      }
      tierAt.refuseUnknown(tier, TIER_FIELDS);
      boolean complete = tierAt.required(tier, "from") & tierAt.required(tier, "platform_rate");
      BigDecimal from = tierAt.read(tier, "from", AMOUNT, null);
      BigDecimal rate = tierAt.read(tier, "platform_rate", AMOUNT, null);
      if (rate != null && rate.compareTo(BigDecimal.ONE) > 0) {
        tierAt.member("platform_rate").refuse("must be from 0 to 1 (0.15 is 15 %)");
      } else if (complete && from != null && rate != null) {
        tiers.add(new Tier(from, rate));
      }
    }
    return tiers;
  }

  private static JsonNode write(Map<Currency, ShareTerms> terms) {
    return Rates.byCode(terms, StoreRevenueShare::write);
  }

  private static JsonNode write(ShareTerms terms) {
    ObjectNode object = JSON.objectNode();
    ArrayNode tiers = object.putArray("tiers");
    for (Tier tier : terms.table().tiers()) {
      tiers.addObject().put("from", tier.fromGross()).put("platform_rate", tier.platformRate());
    }
    object.put("reset", resetName(terms.table().reset()));
    object.set(
        "cap",
        terms.table().capPerPeriod().<JsonNode>map(JSON::numberNode).orElse(JSON.nullNode()));
    object.put("minimum_payout", terms.minimumPayout());
    return object;
  }
}
