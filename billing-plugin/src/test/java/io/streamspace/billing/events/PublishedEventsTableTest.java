package io.streamspace.billing.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The events the billing plugin publishes, one list in the code and one table in the docs: the
 * table of docs/connecting-your-platform.md ("What to act on") names exactly the names of {@link
 * BillingEvents}, and no code of the plugin names an event anywhere else.
 */
class PublishedEventsTableTest {

  static final Path PAGE = Path.of("../docs/connecting-your-platform.md");
  static final String HEADER = "| event | act on it |";

  private static final Path MAIN = Path.of("src/main/java");
  private static final Path LIST = MAIN.resolve("io/streamspace/billing/events/BillingEvents.java");

  /** An event's name in the table's first column; the host's ({@code host.}) are not billing's. */
  private static final Pattern DOCUMENTED = Pattern.compile("`(billing\\.[^`\\s]*)`");

  /** An event's name as a string in the code. */
  private static final Pattern LITERAL = Pattern.compile("\"(billing\\.[a-z_]+\\.[a-z_.*]+)\"");

  @Test
  void theDocsTableNamesEveryEventThePluginPublishes_andNoOther() throws IOException {
    Set<String> published = published();
    assertTrue(published.contains(BillingEvents.INVOICE_PAID), "the names of BillingEvents");

    assertEquals(List.of(), mismatches(published, documented(Files.readAllLines(PAGE))));
  }

  @Test
  void theCheckNamesAnEventMissingFromTheTable_andOneTheCodeDoesNotPublish() {
    List<String> page =
        List.of(
            "### What to act on",
            "",
            HEADER,
            "| --- | --- |",
            "| `host.session.suspended` (`session_id`) | not billing's |",
            "| `billing.quota.warning` / `billing.pack.*` (`user_id`) | tell the user |",
            "",
            "| `billing.spend.reached` | after the table: not read |");

    assertEquals(Set.of("billing.quota.warning", "billing.pack.*"), documented(page));
    assertEquals(
        List.of(
            "published but not in the table of " + PAGE + ": [billing.quota.exceeded]",
            "in the table of " + PAGE + " but not published: [billing.pack.*]"),
        mismatches(Set.of("billing.quota.warning", "billing.quota.exceeded"), documented(page)));
  }

  @Test
  void noCodeOfThePluginButBillingEventsNamesAnEvent() throws IOException {
    List<String> elsewhere = new ArrayList<>();
    try (Stream<Path> sources = Files.walk(MAIN)) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (source.equals(LIST)) {
          continue;
        }
        Matcher literal = LITERAL.matcher(Files.readString(source));
        while (literal.find()) {
          elsewhere.add(MAIN.relativize(source) + ": " + literal.group(1));
        }
      }
    }
    assertFalse(published().isEmpty());
    assertEquals(List.of(), elsewhere, "event names outside BillingEvents");
  }

  /** The values of BillingEvents' public string constants: every event the plugin publishes. */
  static Set<String> published() {
    Set<String> names = new TreeSet<>();
    for (Field field : BillingEvents.class.getFields()) {
      int modifiers = field.getModifiers();
      if (Modifier.isStatic(modifiers)
          && Modifier.isFinal(modifiers)
          && field.getType() == String.class) {
        try {
          names.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return names;
  }

  /** The billing events named in the first column of the page's table. */
  static Set<String> documented(List<String> page) {
    int header = page.indexOf(HEADER);
    assertTrue(header >= 0, "the table of events, " + HEADER);
    Set<String> names = new TreeSet<>();
    for (String row : page.subList(header + 2, page.size())) {
      if (!row.startsWith("|")) {
        break;
      }
      Matcher name = DOCUMENTED.matcher(row.split("\\|")[1]);
      while (name.find()) {
        names.add(name.group(1));
      }
    }
    return names;
  }

  /** A line for what only the code names and one for what only the table names; none if equal. */
  static List<String> mismatches(Set<String> published, Set<String> documented) {
    Set<String> undocumented = new TreeSet<>(published);
    undocumented.removeAll(documented);
    Set<String> unpublished = new TreeSet<>(documented);
    unpublished.removeAll(published);
    List<String> lines = new ArrayList<>();
    if (!undocumented.isEmpty()) {
      lines.add("published but not in the table of " + PAGE + ": " + undocumented);
    }
    if (!unpublished.isEmpty()) {
      lines.add("in the table of " + PAGE + " but not published: " + unpublished);
    }
    return lines;
  }
}
