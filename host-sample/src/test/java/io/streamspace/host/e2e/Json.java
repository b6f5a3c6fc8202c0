package io.streamspace.host.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON for the end-to-end tests: numbers stay BigDecimal, as money must. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Json() {}

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
}
