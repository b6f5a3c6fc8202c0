package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.logging.LogFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The environment variables the host reads: listed by --help, in the operator guide
 * (docs/operator-guide.md, "Environment variables"), and used.
 */
class HostEnvironmentTest {

  private static final Pattern NAME = Pattern.compile("`([A-Z_]+)`");

  @Test
  void theHelpListsEveryEnvironmentVariableOnALineOfItsOwn() {
    List<String> lines = HostCommandLine.USAGE.lines().toList();
    for (HostEnvironment.Variable variable : HostEnvironment.VARIABLES) {
      assertTrue(
          lines.stream()
              .anyMatch(l -> l.strip().startsWith(variable.name() + " ") && l.length() <= 100),
          variable.name());
    }
  }

  @Test
  void theOperatorGuidesTableNamesTheSameVariablesAsTheHelp() throws Exception {
    List<String> guide = Files.readAllLines(Path.of("../docs/operator-guide.md"));
    int header = guide.indexOf("| environment | meaning |");
    assertTrue(header >= 0, "the operator guide's environment table");
    Set<String> documented = new TreeSet<>();
    for (String row : guide.subList(header + 2, guide.size())) {
      if (!row.startsWith("|")) {
        break;
      }
      Matcher names = NAME.matcher(row.split("\\|")[1]);
      while (names.find()) {
        documented.add(names.group(1));
      }
    }
    Set<String> listed = new TreeSet<>();
    HostEnvironment.VARIABLES.forEach(v -> listed.add(v.name()));
    assertEquals(listed, documented);
  }

  @Test
  void theLogFormatComesFromTheOptionElseTheEnvironmentElseIsText() throws Exception {
    HostCommandLine none = HostCommandLine.parse(new String[0]);
    assertEquals(LogFormat.TEXT, none.logFormat(Map.of()));
    assertEquals(LogFormat.JSON, none.logFormat(Map.of(LogFormat.ENV, "JSON")));
    HostCommandLine text = HostCommandLine.parse(new String[] {"--log-format", "text"});
    assertEquals(LogFormat.TEXT, text.logFormat(Map.of(LogFormat.ENV, "json")));
    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> HostCommandLine.parse(new String[] {"--log-format", "xml"}));
    assertEquals("--log-format must be text or json, got xml", refused.getMessage());
  }

  @Test
  void debugComesFromTheOptionOrTheEnvironment() throws Exception {
    assertTrue(HostCommandLine.parse(new String[] {"--debug"}).debug(Map.of()));
    assertTrue(HostCommandLine.parse(new String[0]).debug(Map.of(HostEnvironment.DEBUG, "true")));
    assertFalse(HostCommandLine.parse(new String[0]).debug(Map.of(HostEnvironment.DEBUG, "")));
  }
}
