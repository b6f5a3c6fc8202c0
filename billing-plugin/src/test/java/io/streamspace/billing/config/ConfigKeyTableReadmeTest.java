package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.plugin.api.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The README's config table (section "Billing plugin configuration") says what {@link
 * BillingKeys} says: a row for every key an admin writes (an object key is documented by its
 * members, {@code computeRates.cpu_per_core_hour}), and no other, each with the key's default
 * and naming what the key allows.
 */
class ConfigKeyTableReadmeTest {

  private static final Path README = Path.of("../README.md");
  private static final Pattern ROW = Pattern.compile("^\\| (.+?) \\| (.+?) \\| (.+) \\|$");

  private final Map<String, Row> readme = readmeRows();
  private final List<ConfigKey> documented = documentedKeys();

  @Test
  void theReadmeTableHasARowForEveryKeyOfTheTableAndNoOther() {
    List<String> keys = documented.stream().map(ConfigKey::name).toList();

    assertEquals(
        List.of(),
        keys.stream().filter(key -> !readme.containsKey(key)).toList(),
        "keys of the table without a README row");
    assertEquals(
        List.of(),
        readme.keySet().stream().filter(key -> !keys.contains(key)).toList(),
        "README rows of no key of the table");
  }

  @Test
  void eachReadmeRowShowsItsKeysDefault() {
    List<String> wrong =
        documented.stream()
            .filter(key -> readme.containsKey(key.name()))
            .filter(key -> !shown(key).equals(readme.get(key.name()).defaultValue()))
            .map(key -> key.name() + " defaults to " + shown(key))
            .toList();

    assertEquals(List.of(), wrong);
  }

  @Test
  void eachReadmeRowNamesWhatItsKeyAllows() {
    List<String> unnamed =
        BillingKeys.ALL.stream()
            .filter(key -> key.type().allowed() != null && readme.containsKey(key.name()))
            .filter(key -> !readme.get(key.name()).meaning().contains(key.type().allowed()))
            .map(key -> key.name() + " allows " + key.type().allowed())
            .toList();

    assertEquals(List.of(), unnamed);
  }

  /** The schema's keys but those with members: the keys admins write values of. */
  private static List<ConfigKey> documentedKeys() {
    List<ConfigKey> keys = BillingConfigSchema.schema().keys();
    return keys.stream()
        .filter(key -> keys.stream().noneMatch(k -> k.name().startsWith(key.name() + ".")))
        .toList();
  }

  /**
   * A default as the README shows it: its JSON, plans (objects) by their ids, none (a secret's)
   * as —.
   */
  private static String shown(ConfigKey key) {
    if (key.defaultJson() == null) {
      return "—";
    }
    JsonNode value = read(key.defaultJson());
    return value.isArray() && value.path(0).isObject()
        ? StreamSupport.stream(value.spliterator(), false)
            .map(element -> element.get("id").asText())
            .collect(Collectors.joining(" / "))
        : key.defaultJson();
  }

  /** A row of the README's config table, its cells without code marks, dashes as hyphens. */
  private record Row(String defaultValue, String meaning) {}

  /** The rows by key; a row naming several keys ({@code `a`, `b`}) stands for each. */
  private static Map<String, Row> readmeRows() {
    List<String> lines = readme();
    int header = lines.indexOf("| key | default | meaning |");
    assertTrue(
        header > lines.indexOf("## Billing plugin configuration"), "the README's config table");
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : lines.subList(header + 2, lines.size())) {
      Matcher cells = ROW.matcher(line);
      if (!cells.matches()) {
        break;
      }
      Row row = new Row(plain(cells.group(2)), plain(cells.group(3)));
      for (String key : plain(cells.group(1)).split(", ")) {
        assertEquals(null, rows.put(key, row), "two rows for " + key);
      }
    }
    return rows;
  }

  private static String plain(String cell) {
    return cell.replace("`", "").replace('–', '-').trim();
  }

  private static List<String> readme() {
    try {
      return Files.readAllLines(README);
    } catch (IOException e) {
      throw new AssertionError("the README is read from " + README.toAbsolutePath(), e);
    }
  }

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new AssertionError(json, e);
    }
  }
}
