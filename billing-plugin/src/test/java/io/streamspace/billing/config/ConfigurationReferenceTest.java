package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.testing.GeneratedBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/reference/configuration.md}: its table of keys is generated from {@link BillingKeys}
 * (through the schema the catalog serves), so every key has its row with its default and what it
 * allows, and no other; the build rewrites a stale table and fails once. The hand-written text
 * around it holds worked config examples, which must still be configs the plugin accepts.
 */
class ConfigurationReferenceTest {

  static final Path PAGE = Path.of("../docs/reference/configuration.md");
  static final String BEGIN = "<!-- generated from BillingKeys: do not edit by hand -->";

  private static final Pattern JSON_BLOCK = Pattern.compile("(?s)```json\\n(.*?)```");

  private final BillingConfigParser parser = new BillingConfigParser(CronValidator.fiveFields());

  @Test
  void thePageHoldsTheTableOfKeysAsRenderedFromTheKeysNow() {
    new GeneratedBlock(PAGE, BEGIN).assertCurrent(ConfigurationReference.render());
  }

  @Test
  void everyWorkedConfigExampleOfThePageIsAConfigThePluginAccepts() throws IOException {
    String handWritten =
        Files.readString(PAGE).replace(new GeneratedBlock(PAGE, BEGIN).current(), "");
    List<String> examples = new ArrayList<>();
    Matcher block = JSON_BLOCK.matcher(handWritten);
    while (block.find()) {
      JsonNode json = new ObjectMapper().readTree(block.group(1));
      // an event or an answer is no config: a config's first member is a key
      if (json.isObject() && BillingKeys.named(json.fieldNames().next()).isPresent()) {
        examples.add(block.group(1));
      }
    }

    assertFalse(examples.isEmpty(), "the page's worked config examples");
    for (String example : examples) {
      assertEquals(List.of(), parser.parse(example).problems(), example);
    }
  }
}
