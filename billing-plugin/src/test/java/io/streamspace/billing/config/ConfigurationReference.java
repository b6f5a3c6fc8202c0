package io.streamspace.billing.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.plugin.api.config.ConfigKey;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The generated block of {@code docs/reference/configuration.md}: a row for every key an admin
 * writes, rendered from the schema the catalog serves ({@link BillingConfigSchema}, itself made
 * from {@link BillingKeys}), then the full default of each list key. An object key with members
 * ({@code computeRates}) is written through its members, so it has their rows instead of one.
 */
final class ConfigurationReference {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON as people write it: each array element on its own line, {@code "key": value}. */
  private static final DefaultPrettyPrinter PRETTY =
      new DefaultPrettyPrinter()
          .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE)
          .withSeparators(
              Separators.createDefaultInstance()
                  .withObjectFieldValueSpacing(Separators.Spacing.AFTER));

  private ConfigurationReference() {}

  /** The schema's keys but those with members: the keys admins write values of. */
  static List<ConfigKey> documentedKeys() {
    List<ConfigKey> keys = BillingConfigSchema.schema().keys();
    return keys.stream()
        .filter(key -> keys.stream().noneMatch(k -> k.name().startsWith(key.name() + ".")))
        .toList();
  }

  static String render() {
    StringBuilder page = new StringBuilder();
    page.append("| key | type | default | what it means and allows |\n");
    page.append("| --- | --- | --- | --- |\n");
    List<ConfigKey> lists = new ArrayList<>();
    for (ConfigKey key : documentedKeys()) {
      JsonNode defaultValue = key.defaultJson() == null ? null : read(key.defaultJson());
      if (defaultValue != null && isListOfObjects(defaultValue)) {
        lists.add(key);
      }
      page.append("| `")
          .append(key.name())
          .append("` | ")
          .append(type(key))
          .append(" | ")
          .append(shownDefault(key, defaultValue))
          .append(" | ")
          .append(cell(meaning(key)))
          .append(" |\n");
    }
    for (ConfigKey key : lists) {
      page.append("\nThe default of `")
          .append(key.name())
          .append("`:\n\n```json\n")
          .append(pretty(read(key.defaultJson())))
          .append("\n```\n");
    }
    return page.toString();
  }

  private static String type(ConfigKey key) {
    return key.secret() ? "secret " + key.type() : key.type();
  }

  /**
   * A default as the table shows it: its JSON; a list of objects (plans, packs, meters) by their
   * ids, written out in full below the table; a secret's: none, and where else it is read from.
   */
  private static String shownDefault(ConfigKey key, JsonNode value) {
    if (key.secret()) {
      return "none; the environment variable `" + key.environmentVariable() + "` wins";
    }
    if (isListOfObjects(value)) {
      return StreamSupport.stream(value.spliterator(), false)
              .map(element -> "`" + element.get("id").asText() + "`")
              .collect(Collectors.joining(" / "))
          + " (below)";
    }
    return "`" + key.defaultJson() + "`";
  }

  /**
   * The key's description, naming what its value allows: a member's range is its object key's
   * ({@code computeRates.cpu_per_core_hour} allows what {@code computeRates} allows).
   */
  private static String meaning(ConfigKey key) {
    String description = key.description();
    int dot = key.name().indexOf('.');
    String owner = dot < 0 ? key.name() : key.name().substring(0, dot);
    String allowed = BillingKeys.named(owner).map(owning -> owning.type().allowed()).orElse(null);
    return allowed == null || description.contains(allowed)
        ? description
        : description + " (" + allowed + ")";
  }

  private static boolean isListOfObjects(JsonNode value) {
    return value != null && value.isArray() && value.path(0).isObject();
  }

  /** A table cell's text: no pipe ends the cell, no angle bracket reads as an HTML tag. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String pretty(JsonNode value) {
    try {
      return JSON.writer(PRETTY).writeValueAsString(value).replace(System.lineSeparator(), "\n");
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
