package io.streamspace.host.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/** Reading a {@code /usage} answer. */
final class UsageLines {
  private UsageLines() {}

  /** The usage line of one resource type; fails if there is none or more than one. */
  static JsonNode line(JsonNode usage, String resourceType) {
    JsonNode found = null;
    for (JsonNode line : usage.get("lines")) {
      if (resourceType.equals(line.get("resource_type").asText())) {
        if (found != null) {
          throw new AssertionError("two " + resourceType + " lines in " + usage);
        }
        found = line;
      }
    }
    if (found == null) {
      throw new AssertionError("no " + resourceType + " line in " + usage);
    }
    return found;
  }

  /** A money amount exactly as the API wrote it, scale included ("1.00", not "1"). */
  static String amount(JsonNode node, String field) {
    return node.get(field).decimalValue().toPlainString();
  }

  /** A quantity compared by value (trailing zeros do not matter). */
  static BigDecimal quantity(JsonNode line) {
    return line.get("quantity").decimalValue().stripTrailingZeros();
  }
}
