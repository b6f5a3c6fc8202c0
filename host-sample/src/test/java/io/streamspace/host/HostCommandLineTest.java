package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostCommandLineTest {

  @Test
  void theMaximumEventAgeIs35DaysUnlessTheOptionSaysOtherwise() throws Exception {
    assertEquals(
        Duration.ofDays(35), HostCommandLine.parse(new String[0]).toOptions().maxEventAge());
    assertEquals(
        Duration.ofDays(400),
        HostCommandLine.parse(new String[] {"--max-event-age-days", "400"})
            .toOptions()
            .maxEventAge());
  }

  /** Issue 26, point 6: this machine only, unless the operator says otherwise. */
  @Test
  void httpListensOnLoopbackUnlessHostOrStreamspaceHostSaysOtherwise(@TempDir Path jar)
      throws Exception {
    Map<String, String> none = Map.of("HOME", jar.toString());
    assertEquals("127.0.0.1", HostCommandLine.parse(new String[0]).toOptions(none, jar).host());
    Map<String, String> everywhere = Map.of("HOME", jar.toString(), "STREAMSPACE_HOST", "0.0.0.0");
    assertEquals("0.0.0.0", HostCommandLine.parse(new String[0]).toOptions(everywhere, jar).host());
    assertEquals(
        "10.0.0.5",
        HostCommandLine.parse(new String[] {"--host", "10.0.0.5"})
            .toOptions(everywhere, jar)
            .host(),
        "the option wins over the environment");
    assertEquals("127.0.0.1", HostOptions.builder().build().host(), "the API's default too");
    assertTrue(HostCommandLine.USAGE.contains("--host <address>"), HostCommandLine.USAGE);
    assertTrue(HostCommandLine.USAGE.contains("STREAMSPACE_HOST"), HostCommandLine.USAGE);
  }

  @Test
  void theHelpSaysWhereTheSecretsKeyComesFrom() {
    assertTrue(
        HostCommandLine.USAGE.contains("the secrets key unless $STREAMSPACE_SECRETS_KEY is set"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "36501", "ten", "1.5"})
  void refusesAMaximumEventAgeThatIsNotADayCountFromOneToACentury(String days) {
    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> HostCommandLine.parse(new String[] {"--max-event-age-days", days}));
    assertEquals(
        "--max-event-age-days must be a number of days from 1 to 36500, got " + days,
        refused.getMessage());
  }

  @Test
  void pluginRepositoriesComeFromTheRepeatableOptionInOrderBeforeTheEnvironment(
      @TempDir Path jarFolder) throws Exception {
    HostCommandLine line =
        HostCommandLine.parse(
            new String[] {"--plugin-repository", "/srv/repo", "--plugin-repository", "https://x/"});

    assertEquals(
        List.of("/srv/repo", "https://x/"),
        line.toOptions(Map.of(HostCommandLine.REPOSITORIES_ENV, "/elsewhere"), jarFolder)
            .pluginRepositories());
  }

  @Test
  void withoutTheOptionTheEnvironmentListsRepositoriesCommaSeparated(@TempDir Path jarFolder)
      throws Exception {
    HostCommandLine line = HostCommandLine.parse(new String[0]);

    assertEquals(
        List.of("/a", "https://b.example/repo/"),
        line.toOptions(
                Map.of(HostCommandLine.REPOSITORIES_ENV, " /a , https://b.example/repo/ "),
                jarFolder)
            .pluginRepositories());
  }

  @Test
  void withNeitherThePluginRepositoryFolderNextToTheJarIsUsedWhenItExists(@TempDir Path jarFolder)
      throws Exception {
    HostCommandLine line = HostCommandLine.parse(new String[0]);
    assertEquals(List.of(), line.toOptions(Map.of(), jarFolder).pluginRepositories());

    Files.createDirectory(jarFolder.resolve("plugin-repository"));

    assertEquals(
        List.of(jarFolder.resolve("plugin-repository").toString()),
        line.toOptions(Map.of(), jarFolder).pluginRepositories());
  }

  @Test
  void thePluginsFolderIsInTheDataFolder_soAMvnCleanDeletesNoInstalledPlugin(@TempDir Path jar)
      throws Exception {
    Map<String, String> environment = Map.of("HOME", "/home/ann");

    assertEquals(
        Path.of("/home/ann/.local/share/streamspace/plugins"),
        HostCommandLine.parse(new String[0]).toOptions(environment, jar).pluginsDir());
    assertEquals(
        Path.of("/srv/billing/plugins"),
        HostCommandLine.parse(new String[] {"--data-dir", "/srv/billing"})
            .toOptions(environment, jar)
            .pluginsDir());
    assertEquals(
        Path.of("/opt/plugins"),
        HostCommandLine.parse(
                new String[] {"--data-dir", "/srv/billing", "--plugins-dir", "/opt/plugins"})
            .toOptions(environment, jar)
            .pluginsDir());
  }

  @Test
  void theDataFolderIsTheUsersNotUnderTheJarsTargetFolderWhichMvnCleanDeletes() throws Exception {
    Path jarFolder = Path.of("target").toAbsolutePath();
    HostCommandLine line = HostCommandLine.parse(new String[0]);

    Path data = line.toOptions(Map.of("HOME", "/home/ann"), jarFolder).dataDir();

    assertEquals(Path.of("/home/ann/.local/share/streamspace"), data);
    assertFalse(data.toAbsolutePath().startsWith(jarFolder), data.toString());
    assertFalse(
        line.toOptions(Map.of(), jarFolder).dataDir().toAbsolutePath().startsWith(jarFolder),
        "with the real environment too");
  }

  @Test
  void theDataFolderFollowsXdgDataHomeAndTheOptionOverridesIt() throws Exception {
    Map<String, String> environment = Map.of("XDG_DATA_HOME", "/srv/xdg", "HOME", "/home/ann");

    assertEquals(
        Path.of("/srv/xdg/streamspace"),
        HostCommandLine.parse(new String[0]).toOptions(environment, null).dataDir());
    assertEquals(
        Path.of("/var/billing"),
        HostCommandLine.parse(new String[] {"--data-dir", "/var/billing"})
            .toOptions(environment, null)
            .dataDir());
  }

  @Test
  void theBenchmarkIsNoHostCommand_itsOwnModuleRunsIt() {
    assertFalse(HostCommandLine.USAGE.contains("bench"), HostCommandLine.USAGE);
    for (String arg : List.of("bench", "--size", "--only")) {
      assertEquals(
          "unknown option " + arg,
          assertThrows(
                  HostCommandLine.UsageException.class,
                  () -> HostCommandLine.parse(new String[] {arg, "small"}))
              .getMessage());
    }
  }

  @Test
  void theHelpNamesThePluginRepositoryOptionAndItsVariable() {
    assertTrue(HostCommandLine.USAGE.contains("--plugin-repository <folder|url>"));
    assertTrue(HostCommandLine.USAGE.contains("$STREAMSPACE_PLUGIN_REPOSITORIES"));
  }
}
