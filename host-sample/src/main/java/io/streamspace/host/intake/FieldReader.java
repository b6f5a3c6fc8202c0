package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException.Detail;
import io.streamspace.common.text.SafeText;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads fields of one JSON object of a request, collecting every problem (with the object's
 * index in its batch and the dotted field name) instead of stopping at the first.
 *
 * <p>Whatever it accepts, PostgreSQL stores exactly (what plugins and the dead-letter table
 * need): strings are well-formed Unicode without NUL (PostgreSQL text cannot hold U+0000), ids
 * and e-mails have no control characters at all, nor bidirectional controls or line separators
 * ({@link SafeText}: an id that reads backwards on screen is no one's), and sizes and quantities
 * have at most {@link #MAX_DECIMALS} decimals below their upper bounds, which {@code numeric}
 * columns keep without rounding.
 */
final class FieldReader {

  private static final int MAX_ID_LENGTH = 200;

  /** Sizes are kept to the millionth (a core, a GB): more is noise, and 1e-20000 is no size. */
  static final int MAX_DECIMALS = 6;

  private static final String[] SIZE_FIELDS = {"cpu_cores", "memory_gb", "storage_gb"};

  /** Upper bounds that catch unit mistakes (bytes sent as GB) without limiting real machines. */
  private static final BigDecimal[] SIZE_LIMITS = {
    BigDecimal.valueOf(1024), BigDecimal.valueOf(16384), BigDecimal.valueOf(1_000_000)
  };

  /** The most held resources one size may name, and the largest amount of one. */
  private static final int MAX_RESOURCES = 50;

  private static final BigDecimal RESOURCE_LIMIT = BigDecimal.valueOf(1_000_000);

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
    return singleLine(field, node.asText());
  }

  /** Like {@link #requiredId}, but absent or null is no problem: null then. */
  String optionalId(JsonNode parent, String prefix, String name) {
    JsonNode node = parent.get(name);
    return node == null || node.isNull() ? null : requiredId(parent, prefix, name);
  }

  /**
   * An optional string without control characters (an e-mail), or null (a non-string value is
   * a problem).
   */
  String optionalSingleLine(JsonNode parent, String prefix, String name) {
    String text = optionalString(parent, prefix, name);
    return text == null ? null : singleLine(prefix + name, text);
  }

  /** An optional free text (a name), or null (a non-string value is a problem). */
  String optionalString(JsonNode parent, String prefix, String name) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      problem(prefix + name, "must be a string");
      return null;
    }
    return storable(prefix + name, node.asText());
  }

  /**
   * Whether the name of a member that is kept (a user attribute's) is storable text without
   * control characters; a problem on {@code field} (the object) otherwise.
   */
  boolean storableName(String field, String name) {
    if (hasControlCharacter(name) || !wellFormed(name)) {
      problem(
          field,
          "member names must be well-formed text without control characters, bidirectional"
              + " controls or line separators");
      return false;
    }
    return true;
  }

  /**
   * The text when it has no control character (NUL, tab, line breaks, DEL...), bidirectional
   * control (U+202A to U+202E, U+2066 to U+2069) or line separator (U+2028, U+2029), else null.
   */
  private String singleLine(String field, String text) {
    if (hasControlCharacter(text)) {
      problem(
          field,
          "must not contain control characters (such as NUL or line breaks), bidirectional"
              + " controls (U+202A to U+202E, U+2066 to U+2069) or line separators (U+2028,"
              + " U+2029)");
      return null;
    }
    return storable(field, text);
  }

  /** The text when PostgreSQL can store it exactly (no NUL, no lone surrogate), else null. */
  private String storable(String field, String text) {
    if (text.indexOf('\0') >= 0) {
      problem(field, "must not contain the NUL character (U+0000)");
      return null;
    }
    if (!wellFormed(text)) {
      problem(field, "must be well-formed Unicode (an unpaired surrogate cannot be stored)");
      return null;
    }
    return text;
  }

  private static boolean hasControlCharacter(String text) {
    return SafeText.hasUnsafeCharacter(text);
  }

  /** True when every surrogate is half of a pair: the text has a UTF-8 encoding. */
  private static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i))
              : !Character.isLowSurrogate(c);
      if (!paired) {
        return false;
      }
    }
    return true;
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
    JsonNode resources = parent.get("resources");
    boolean resourcesGiven = resources != null && !resources.isNull();
    if (given == 0 && !required) {
      if (resourcesGiven) {
        problem(prefix + "resources", "is allowed only with cpu_cores, memory_gb and storage_gb");
      }
      return null;
    }
    BigDecimal[] values = new BigDecimal[SIZE_FIELDS.length];
    boolean valid = true;
    for (int i = 0; i < SIZE_FIELDS.length; i++) {
      values[i] = size(parent.get(SIZE_FIELDS[i]), prefix + SIZE_FIELDS[i], SIZE_LIMITS[i], given);
      valid &= values[i] != null;
    }
    Map<String, BigDecimal> held =
        resourcesGiven ? held(resources, prefix + "resources") : Map.of();
    return valid && held != null ? new ResourceSize(values[0], values[1], values[2], held) : null;
  }

  /**
   * The {@code resources} of a size: an object from held meter ids ({@link UsageReport#METER_ID})
   * to amounts from 0 to 1,000,000 with at most {@link #MAX_DECIMALS} decimals; null (problems
   * noted, each naming its member) when any is not.
   */
  private Map<String, BigDecimal> held(JsonNode resources, String field) {
    if (!resources.isObject()) {
      problem(field, "must be an object of held meter ids and amounts");
      return null;
    }
    if (resources.size() > MAX_RESOURCES) {
      problem(field, "must name at most " + MAX_RESOURCES + " resources");
      return null;
    }
    Map<String, BigDecimal> held = new TreeMap<>();
    boolean valid = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = resources.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      String meter = member.getKey();
      if (!UsageReport.METER_ID.matcher(meter).matches()) {
        problem(
            field,
            "member names must be meter ids: 1 to 40 lower case letters, digits or underscores, "
                + "a letter first");
        valid = false;
        continue;
      }
      JsonNode amount = member.getValue();
      BigDecimal value =
          amount == null || amount.isNull()
              ? null
              : boundedDecimal(amount, field + "." + meter, RESOURCE_LIMIT);
      if (amount == null || amount.isNull()) {
        problem(field + "." + meter, "must be a number");
      }
      valid &= value != null;
      if (value != null) {
        held.put(meter, value);
      }
    }
    return valid ? held : null;
  }

  /**
   * The {@code activity} of a session object ({@code active}, {@code idle} or {@code
   * disconnected}) with its optional {@code used} figures (allowed only with it); null when
   * neither is given, or on a problem.
   */
  SessionActivity activity(JsonNode parent, String prefix) {
    JsonNode state = parent.get("activity");
    JsonNode used = parent.get("used");
    boolean usedGiven = used != null && !used.isNull();
    if (state == null || state.isNull()) {
      if (usedGiven) {
        problem(prefix + "used", "is allowed only with activity");
      }
      return null;
    }
    SessionActivity.State read =
        state.isTextual() ? SessionActivity.State.fromWire(state.asText()) : null;
    if (read == null) {
      problem(prefix + "activity", "must be one of active, idle, disconnected");
    }
    // what it used of what it holds: cpu_cores, memory_gb or a held meter, bounded as held
    Map<String, BigDecimal> figures = usedGiven ? held(used, prefix + "used") : Map.of();
    return read == null || figures == null ? null : new SessionActivity(read, figures);
  }

  private BigDecimal size(JsonNode node, String field, BigDecimal limit, int given) {
    if (node == null || node.isNull()) {
      problem(field, given == 0 ? "is required" : "is required when any size is given");
      return null;
    }
    return boundedDecimal(node, field, limit);
  }

  /**
   * A required number from 0 to {@code limit} with at most {@link #MAX_DECIMALS} decimals (a
   * reported quantity), or null (problem noted).
   */
  BigDecimal requiredDecimal(JsonNode parent, String prefix, String name, BigDecimal limit) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      problem(prefix + name, "is required");
      return null;
    }
    return boundedDecimal(node, prefix + name, limit);
  }

  private BigDecimal boundedDecimal(JsonNode node, String field, BigDecimal limit) {
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
    if (value.stripTrailingZeros().scale() > MAX_DECIMALS) {
      problem(field, "must have at most " + MAX_DECIMALS + " decimals");
      return null;
    }
    // in the form the journal keeps (4.50 is 4.5): plugins are handed one form either way
    return EventWire.canonical(value);
  }
}
