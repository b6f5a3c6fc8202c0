package io.streamspace.billing.corrections;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the members of one object of a correction's request, each refused by the field's full
 * name ({@code items[1].amend.cpu_cores}) when missing or bad, with the rules intake applies to
 * the same fields of an event.
 */
final class Fields {

  /** Sizes and quantities at most as exact as intake keeps them. */
  private static final int MAX_DECIMALS = 6;

  private static final int MAX_ID_LENGTH = 200;

  private final JsonNode node;
  private final String prefix;

  Fields(JsonNode node, String prefix) {
    this.node = node;
    this.prefix = prefix;
  }

  JsonNode node() {
    return node;
  }

  String name(String member) {
    return prefix + "." + member;
  }

  boolean has(String member) {
    JsonNode value = node.get(member);
    return value != null && !value.isNull();
  }

  /** The member as an object's fields, refused unless it is one. */
  Fields object(String member) throws CorrectionRefused {
    JsonNode value = node.get(member);
    if (value == null || !value.isObject()) {
      throw new CorrectionRefused(name(member), name(member) + " must be an object");
    }
    return new Fields(value, name(member));
  }

  /** An id: a non-blank string of at most 200 characters without control characters. */
  String id(String member) throws CorrectionRefused {
    JsonNode value = node.get(member);
    if (value == null
        || !value.isTextual()
        || value.asText().isBlank()
        || value.asText().length() > MAX_ID_LENGTH
        || value.asText().chars().anyMatch(Character::isISOControl)) {
      throw new CorrectionRefused(
          name(member),
          name(member) + " is required: a string of 1 to 200 characters, no control character");
    }
    return value.asText();
  }

  /** An optional id: null when absent. */
  String optionalId(String member) throws CorrectionRefused {
    return has(member) ? id(member) : null;
  }

  /** An ISO-8601 instant to the microsecond. */
  Instant instant(String member) throws CorrectionRefused {
    JsonNode value = node.get(member);
    try {
      if (value != null && value.isTextual()) {
        Instant instant = Instant.parse(value.asText());
        if (instant.getNano() % 1_000 == 0) {
          return instant;
        }
      }
    } catch (DateTimeParseException e) {
      // refused below
    }
    throw new CorrectionRefused(
        name(member),
        name(member) + " is required: an ISO-8601 instant such as 2026-03-01T00:00:00Z");
  }

  /** A JSON number from 0 to {@code max} with at most 6 decimals; null when absent. */
  BigDecimal optionalAmount(String member, BigDecimal max) throws CorrectionRefused {
    return has(member) ? amount(node.get(member), name(member), max) : null;
  }

  BigDecimal amount(String member, BigDecimal max) throws CorrectionRefused {
    return amount(node.get(member), name(member), max);
  }

  /** An object of held meter id to amount (0 to 1,000,000); empty when absent. */
  Map<String, BigDecimal> resources(String member) throws CorrectionRefused {
    Map<String, BigDecimal> amounts = new TreeMap<>();
    if (!has(member)) {
      return amounts;
    }
    JsonNode value = node.get(member);
    if (!value.isObject()) {
      throw new CorrectionRefused(name(member), name(member) + " must be an object");
    }
    for (Map.Entry<String, JsonNode> held : value.properties()) {
      String field = name(member) + "." + held.getKey();
      if (!UsageReport.METER_ID.matcher(held.getKey()).matches()) {
        throw new CorrectionRefused(field, field + " is not a meter id");
      }
      amounts.put(held.getKey(), amount(held.getValue(), field, BigDecimal.valueOf(1_000_000)));
    }
    return amounts;
  }

  private static BigDecimal amount(JsonNode value, String field, BigDecimal max)
      throws CorrectionRefused {
    if (value == null || !value.isNumber()) {
      throw new CorrectionRefused(field, field + " is required: a JSON number");
    }
    BigDecimal amount = value.decimalValue();
    if (amount.signum() < 0 || amount.compareTo(max) > 0) {
      throw new CorrectionRefused(
          field, field + " must be from 0 to " + max.toPlainString() + ", got " + amount);
    }
    if (amount.stripTrailingZeros().scale() > MAX_DECIMALS) {
      throw new CorrectionRefused(field, field + " has more than 6 decimals");
    }
    return amount;
  }
}
