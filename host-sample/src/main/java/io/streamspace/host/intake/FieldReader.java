package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.http.ApiException.Detail;
import io.streamspace.plugin.api.event.ResourceSize;
import java.math.BigDecimal;
import java.util.List;

/**
 * Reads fields of one JSON object of a request, collecting every problem (with the object's
 * index in its batch and the dotted field name) instead of stopping at the first.
 */
final class FieldReader {

  private static final int MAX_ID_LENGTH = 200;
  private static final String[] SIZE_FIELDS = {"cpu_cores", "memory_gb", "storage_gb"};
  /** Upper bounds that catch unit mistakes (bytes sent as GB) without limiting real machines. */
  private static final BigDecimal[] SIZE_LIMITS = {
    BigDecimal.valueOf(1024), BigDecimal.valueOf(16384), BigDecimal.valueOf(1_000_000)
  };

  private final Integer index;
  private final List<Detail> problems;

  FieldReader(Integer index, List<Detail> problems) {
    this.index = index;
    this.problems = problems;
  }

  void problem(String field, String message) {
    problems.add(new Detail(index, field, message));
  }

  /** A required, non-blank string of at most 200 characters, or null (problem noted). */
  String requiredId(JsonNode parent, String prefix, String name) {
    String field = prefix + name;
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      problem(field, "is required");
      return null;
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      problem(field, "must be a non-blank string");
      return null;
    }
    if (node.asText().length() > MAX_ID_LENGTH) {
      problem(field, "must be at most " + MAX_ID_LENGTH + " characters");
      return null;
    }
    return node.asText();
  }

  /** An optional string, or null (a non-string value is a problem). */
  String optionalString(JsonNode parent, String prefix, String name) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      problem(prefix + name, "must be a string");
      return null;
    }
    return node.asText();
  }

  /** A JSON object member, or null (problem noted) when missing or not an object. */
  JsonNode requiredObject(JsonNode parent, String name) {
    JsonNode node = parent.get(name);
    if (node == null || !node.isObject()) {
      problem(name, "must be an object");
      return null;
    }
    return node;
  }

  /**
   * The {@code cpu_cores}, {@code memory_gb} and {@code storage_gb} of an object: all three or
   * none (null when none are given and they are optional, or on a problem).
   */
  ResourceSize sizes(JsonNode parent, String prefix, boolean required) {
    int given = 0;
    for (String name : SIZE_FIELDS) {
      JsonNode node = parent.get(name);
      if (node != null && !node.isNull()) {
        given++;
      }
    }
    if (given == 0 && !required) {
      return null;
    }
    BigDecimal[] values = new BigDecimal[SIZE_FIELDS.length];
    boolean valid = true;
    for (int i = 0; i < SIZE_FIELDS.length; i++) {
      values[i] = size(parent.get(SIZE_FIELDS[i]), prefix + SIZE_FIELDS[i], SIZE_LIMITS[i], given);
      valid &= values[i] != null;
    }
    return valid ? new ResourceSize(values[0], values[1], values[2]) : null;
  }

  private BigDecimal size(JsonNode node, String field, BigDecimal limit, int given) {
    if (node == null || node.isNull()) {
      problem(field, given == 0 ? "is required" : "is required when any size is given");
      return null;
    }
    if (!node.isNumber()) {
      problem(field, "must be a number");
      return null;
    }
    BigDecimal value = node.decimalValue();
    if (value.signum() < 0) {
      problem(field, "must not be negative");
      return null;
    }
    if (value.compareTo(limit) > 0) {
      problem(field, "must be at most " + limit.toPlainString());
      return null;
    }
    return value;
  }
}
