package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.journal.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

  @Test
  void theJournalIsPostgresUnlessTheOptionOrTheEnvironmentSaysKafka(@TempDir Path jar)
      throws Exception {
    HostOptions byDefault = HostCommandLine.parse(new String[0]).toOptions(Map.of(), jar);
    assertEquals(JournalKind.POSTGRES, byDefault.journal());
    assertEquals(null, byDefault.kafka());
    assertEquals(JournalKind.POSTGRES, HostOptions.builder().build().journal(), "the API's too");

    HostOptions fromOptions =
        HostCommandLine.parse(new String[] {"--journal", "kafka", "--kafka-bootstrap", "k1:9092"})
            .toOptions(Map.of(), jar);
    assertEquals(JournalKind.KAFKA, fromOptions.journal());
    assertEquals(
        new KafkaSettings("k1:9092", "streamspace.events", 12, (short) 3, Map.of()),
        fromOptions.kafka());

    Map<String, String> environment =
        Map.of(
            "STREAMSPACE_JOURNAL", "kafka",
            "STREAMSPACE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092",
            "STREAMSPACE_KAFKA_TOPIC", "billing.events",
            "STREAMSPACE_KAFKA_PARTITIONS", "24",
            "STREAMSPACE_KAFKA_REPLICATION_FACTOR", "5");
    assertEquals(
        new KafkaSettings("k1:9092,k2:9092", "billing.events", 24, (short) 5, Map.of()),
        HostCommandLine.parse(new String[0]).toOptions(environment, jar).kafka());
    assertEquals(
        new KafkaSettings("k3:9092", "mine", 6, (short) 1, Map.of()),
        HostCommandLine.parse(
                new String[] {
                  "--kafka-bootstrap", "k3:9092",
                  "--kafka-topic", "mine",
                  "--kafka-partitions", "6",
                  "--kafka-replication-factor", "1"
                })
            .toOptions(environment, jar)
            .kafka(),
        "the options win over the environment");
    assertEquals(
        JournalKind.POSTGRES,
        HostCommandLine.parse(new String[] {"--journal", "postgres"})
            .toOptions(environment, jar)
            .journal());
  }

  @Test
  void theKafkaJournalWithoutBootstrapServersIsRefusedNamingTheOption(@TempDir Path jar)
      throws Exception {
    HostCommandLine line = HostCommandLine.parse(new String[] {"--journal", "kafka"});

    HostCommandLine.UsageException refused =
        assertThrows(HostCommandLine.UsageException.class, () -> line.toOptions(Map.of(), jar));

    assertEquals(
        "--journal kafka needs --kafka-bootstrap <host:port,...> (or STREAMSPACE_KAFKA_BOOTSTRAP)",
        refused.getMessage());
    assertThrows(
        HostCommandLine.UsageException.class,
        () ->
            HostCommandLine.parse(new String[0])
                .toOptions(Map.of("STREAMSPACE_JOURNAL", "KAFKA"), jar),
        "from the environment too");
  }

  @Test
  void aKafkaOptionWithThePostgresJournalIsRefused_theVariablesAreLeftUnread(@TempDir Path jar)
      throws Exception {
    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class,
            () ->
                HostCommandLine.parse(new String[] {"--kafka-topic", "events"})
                    .toOptions(Map.of(), jar));
    assertEquals(
        "--kafka-topic is for the Kafka journal: add --journal kafka", refused.getMessage());

    assertEquals(
        null,
        HostCommandLine.parse(new String[0])
            .toOptions(Map.of("STREAMSPACE_KAFKA_BOOTSTRAP", "k1:9092"), jar)
            .kafka());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--journal mysql|--journal must be postgres or kafka, got mysql",
        "--kafka-partitions 0|--kafka-partitions must be a number from 1 to 10000, got 0",
        "--kafka-partitions twelve|--kafka-partitions must be a number from 1 to 10000, got twelve",
        "--kafka-replication-factor 40000|--kafka-replication-factor must be a number from 1 to"
            + " 32767, got 40000"
      })
  void refusesAJournalOrATopicShapeThatIsNone(String argsAndMessage) {
    String[] parts = argsAndMessage.split("\\|");
    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class, () -> HostCommandLine.parse(parts[0].split(" ")));
    assertEquals(parts[1], refused.getMessage());
  }

  @Test
  void theKafkaPropertiesFileIsPassedToTheClients_itsValuesNeverShown(@TempDir Path folder)
      throws Exception {
    Path file = folder.resolve("kafka.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "security.protocol=SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"billing\" password=\"s3cret-pw\";"),
        StandardCharsets.UTF_8);

    HostOptions options =
        HostCommandLine.parse(
                new String[] {
                  "--journal",
                  "kafka",
                  "--kafka-bootstrap",
                  "k1:9093",
                  "--kafka-properties",
                  file.toString()
                })
            .toOptions(Map.of(), folder);

    assertEquals("SASL_SSL", options.kafka().clientProperties().get("security.protocol"));
    assertTrue(
        options.kafka().clientProperties().get("sasl.jaas.config").contains("s3cret-pw"),
        "passed as written");
    assertFalse(options.toString().contains("s3cret-pw"), options.toString());
    assertEquals(
        options.kafka().clientProperties(),
        HostCommandLine.parse(new String[] {"--journal", "kafka"})
            .toOptions(
                Map.of(
                    "STREAMSPACE_KAFKA_BOOTSTRAP",
                    "k1:9093",
                    "STREAMSPACE_KAFKA_PROPERTIES",
                    file.toString()),
                folder)
            .kafka()
            .clientProperties(),
        "or named by the environment");
  }

  @Test
  void aKafkaPropertiesFileThatCannotBeReadIsRefusedWithoutQuotingIt(@TempDir Path folder)
      throws Exception {
    Path missing = folder.resolve("missing.properties");
    HostCommandLine.UsageException absent =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> kafkaWithProperties(missing).toOptions(Map.of(), folder));
    assertTrue(
        absent.getMessage().startsWith("--kafka-properties " + missing + " could not be read"),
        absent.getMessage());

    Path malformed = folder.resolve("malformed.properties");
    Files.writeString(malformed, "sasl.jaas.config=password=\"s3cret-pw\\uZZZZ\"");
    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> kafkaWithProperties(malformed).toOptions(Map.of(), folder));
    assertEquals(
        "--kafka-properties " + malformed + " could not be read as Java properties",
        refused.getMessage());
  }

  private static HostCommandLine kafkaWithProperties(Path file) throws Exception {
    return HostCommandLine.parse(
        new String[] {
          "--journal",
          "kafka",
          "--kafka-bootstrap",
          "k1:9092",
          "--kafka-properties",
          file.toString()
        });
  }

  @Test
  void switchingTheJournalIsOnlyEverAskedForByTheOption(@TempDir Path jar) throws Exception {
    assertFalse(HostCommandLine.parse(new String[0]).toOptions(Map.of(), jar).switchJournal());
    assertFalse(HostOptions.builder().build().switchJournal(), "the API's default too");

    HostOptions switching =
        HostCommandLine.parse(
                new String[] {
                  "--journal", "kafka", "--kafka-bootstrap", "k1:9092", "--switch-journal"
                })
            .toOptions(Map.of(), jar);

    assertTrue(switching.switchJournal());
    assertEquals(JournalKind.KAFKA, switching.journal());
  }

  @Test
  void intakeFirstIsOnByDefault_offByItsOptionOrVariable_theOptionWinning_anythingElseRefused(
      @TempDir Path jar) throws Exception {
    assertTrue(intakeFirst(Map.of(), jar));
    assertFalse(intakeFirst(Map.of(), jar, "--kafka-intake-first", "off"));
    Map<String, String> offByVariable = Map.of("STREAMSPACE_KAFKA_INTAKE_FIRST", "OFF");
    assertFalse(intakeFirst(offByVariable, jar));
    assertTrue(
        intakeFirst(offByVariable, jar, "--kafka-intake-first", "on"),
        "the option wins over the variable");

    HostCommandLine.UsageException refused =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> intakeFirst(Map.of(), jar, "--kafka-intake-first", "sometimes"));
    assertEquals("--kafka-intake-first must be on or off, got sometimes", refused.getMessage());
    HostCommandLine.UsageException refusedVariable =
        assertThrows(
            HostCommandLine.UsageException.class,
            () -> intakeFirst(Map.of("STREAMSPACE_KAFKA_INTAKE_FIRST", "maybe"), jar));
    assertEquals(
        "STREAMSPACE_KAFKA_INTAKE_FIRST must be on or off, got maybe",
        refusedVariable.getMessage());
    HostCommandLine.UsageException withoutKafka =
        assertThrows(
            HostCommandLine.UsageException.class,
            () ->
                HostCommandLine.parse(new String[] {"--kafka-intake-first", "off"})
                    .toOptions(Map.of(), jar));
    assertEquals(
        "--kafka-intake-first is for the Kafka journal: add --journal kafka",
        withoutKafka.getMessage());
  }

  /** Whether intake first is on for a start on Kafka with {@code more} options. */
  private static boolean intakeFirst(Map<String, String> environment, Path jar, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(List.of("--journal", "kafka", "--kafka-bootstrap", "k1:9092"));
    args.addAll(List.of(more));
    return HostCommandLine.parse(args.toArray(String[]::new))
        .toOptions(environment, jar)
        .kafka()
        .intakeFirst();
  }

  @Test
  void theHelpNamesTheJournalsOptions() {
    for (String option :
        List.of(
            "--journal <postgres|kafka>",
            "--kafka-bootstrap <host:port,...>",
            "--kafka-topic <name>",
            "--kafka-partitions <n>",
            "--kafka-replication-factor <n>",
            "--kafka-properties <file>",
            "--kafka-intake-first <on|off>",
            "--switch-journal")) {
      assertTrue(HostCommandLine.USAGE.contains("  " + option + " "), option);
    }
  }
}
