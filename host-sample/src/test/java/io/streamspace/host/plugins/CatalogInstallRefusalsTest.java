package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installing from the catalog on a host whose first repository cannot be read (a folder that is
 * not there) and whose second lists a plugin {@code slip} whose zip has an entry {@code
 * ../escaped.txt}: each refusal is a 4xx in words, naming no path of the host's, logged with its
 * cause, and nothing is installed or written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogInstallRefusalsTest {

  /** The repositories, plugins and data: a @TempDir, deleted once the class is done. */
  private Path work;

  private Path pluginsDir;
  private Host host;
  private HostClient http;

  @BeforeAll
  void startAHostWithAnUnreadableRepositoryAndAZipSlip(@TempDir Path work) throws Exception {
    this.work = work;
    pluginsDir = Files.createDirectories(work.resolve("plugins"));
    TestRepository slipping =
        new TestRepository(work.resolve("repository"))
            .publishPluginWithEntry(Map.of("plugin.id", "slip"), "../escaped.txt", "Slip");
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(TestDatabases.freshDatabaseUrl())
                .pluginsDir(pluginsDir)
                .pluginRepository(work.resolve("missing").toString())
                .pluginRepository(slipping.location())
                .dataDir(work.resolve("data"))
                .secrets(Map.of("BILLING_ADMIN_TOKEN", HostTestBase.ADMIN_TOKEN))
                .unsafeFastEmbeddedDatabaseForTests()
                .build());
    http = new HostClient(host.port());
  }

  @AfterAll
  void stopHost() {
    host.close();
  }

  private HostClient.Response install(String id) {
    return http.post("/api/admin/plugins/" + id + "/install", HostTestBase.ADMIN_TOKEN, "{}");
  }

  @Test
  void anUnknownIdIs400UnknownPlugin_whileAnotherRepositoryAnswered_namingNoPathOfTheHosts() {
    List<String> logged = new ArrayList<>();
    HostClient.Response[] answer = new HostClient.Response[1];
    logged.addAll(LogCapture.during(() -> answer[0] = install("no-such-plugin")));

    JsonNode error = answer[0].expect(400).get("error");
    assertEquals("unknown_plugin", error.get("code").asText());
    assertEquals(
        "no plugin repository lists plugin no-such-plugin (not read: repository 1 (a local"
            + " folder); the host's log says why)",
        error.get("message").asText());
    assertFalse(answer[0].body().toString().contains(work.toString()), answer[0].toString());
    assertTrue(
        logged.stream()
            .anyMatch(
                line ->
                    line.startsWith("WARN Plugin repository " + work.resolve("missing"))
                        && line.contains("NoSuchFileException")),
        "the log names the folder and the cause: " + logged);
  }

  @Test
  void aZipWhoseEntryWouldLeaveItsFolderIs400InvalidPluginPackage_loggedAndNothingInstalled()
      throws Exception {
    List<String> logged = new ArrayList<>();
    HostClient.Response[] answer = new HostClient.Response[1];
    logged.addAll(LogCapture.during(() -> answer[0] = install("slip")));

    JsonNode error = answer[0].expect(400).get("error");
    assertEquals("invalid_plugin_package", error.get("code").asText());
    assertEquals(
        "plugin slip 0.3.0 from repository 2 (a local folder), file slip-0.3.0.zip is not a"
            + " package this host unpacks: its entry '../escaped.txt' would be written outside"
            + " the plugin's folder; nothing was installed",
        error.get("message").asText());
    assertTrue(
        logged.stream()
            .anyMatch(
                line ->
                    line.startsWith("WARN Plugin slip 0.3.0 from file:")
                        && line.contains("'../escaped.txt'")),
        logged.toString());
    assertFalse(
        logged.stream().anyMatch(line -> line.contains("NullPointerException")), "PF4J not asked");
    assertFalse(Files.exists(work.resolve("escaped.txt")));
    assertFalse(Files.exists(pluginsDir.resolve("escaped.txt")));
    try (Stream<Path> files = Files.list(pluginsDir)) {
      assertEquals(
          List.of(".downloads"),
          files.map(f -> f.getFileName().toString()).toList(),
          "no zip kept");
    }
    try (Stream<Path> downloads = Files.list(pluginsDir.resolve(".downloads"))) {
      assertEquals(0, downloads.count());
    }
    JsonNode installed = http.get("/api/admin/plugins", HostTestBase.ADMIN_TOKEN).expect(200);
    assertEquals(0, installed.get("plugins").size(), installed.toString());
  }
}
