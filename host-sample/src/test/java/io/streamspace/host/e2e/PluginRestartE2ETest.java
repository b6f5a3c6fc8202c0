package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.util.FileUtils;

/**
 * What a host finds in its plugins folder at restart when something happened while it was down
 * (another node uninstalled or purged a plugin) or it crashed in the middle of an update: the
 * host_plugins row decides which package runs.
 */
class PluginRestartE2ETest {

  private static final String NEWER = "0.3.1-restart";
  private static final String PLUGIN = "/api/admin/plugins/billing";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private String dbUrl;

  /** This test's folder (plugins, downloads, builds, data), deleted once the test is done. */
  @TempDir Path work;

  private Path pluginsDir;
  private BuiltReleases releases;
  private String packaged;
  private Host host;
  private BillingApi api;

  @BeforeEach
  void startHostWithAnEmptyPluginsFolder(TestInfo test) throws Exception {
    dbUrl = MigratedDatabases.freshDatabaseUrlFor(test);
    pluginsDir = Files.createDirectories(work.resolve("plugins"));
    packaged = BillingPluginBuilds.packagedVersion();
    releases = new BuiltReleases(work.resolve("downloads"));
    releases.offer(packaged, BillingPluginBuilds.PACKAGED);
    releases.offer(NEWER, BillingPluginBuilds.build(work.resolve("builds"), NEWER, Map.of()));
    start();
  }

  @AfterEach
  void stopHost() {
    host.close();
  }

  @Test
  @MigratedAlready
  void aPluginPurgedWhileTheNodeWasDown_isDeletedAtRestart_notInstalledAgain() throws Exception {
    post("/install", "{\"version\":\"" + packaged + "\"}").expect(201);
    Path zip = pluginsDir.resolve("billing-" + packaged + ".zip");
    Path kept = Files.copy(zip, work.resolve("kept.zip"));
    post("/uninstall", "{\"purge\":true,\"confirm\":\"billing\"}").expect(200);
    host.close();
    // the node that was down still has the zip
    Files.copy(kept, zip);

    start();

    api.http.get(PLUGIN, api.adminToken).expect(404);
    assertEquals(List.of(), namesIn(pluginsDir));
  }

  @Test
  void aPluginDroppedIntoTheFolderTheFirstTime_isInstalledAndStarted() throws Exception {
    host.close();
    PackagedPlugin.copyInto(pluginsDir);

    start();

    assertEquals("started " + packaged, billing());
  }

  @Test
  @MigratedAlready
  void anUpdateInterruptedBeforeItWasRecorded_putsTheInstalledVersionBackAtRestart()
      throws Exception {
    installPackagedEnabledAndStop();
    // the crash: the old zip set aside, the new one moved in, host_plugins not yet changed
    Path zip = pluginsDir.resolve("billing-" + packaged + ".zip");
    Files.move(zip, zip.resolveSibling(zip.getFileName() + ".previous"));
    FileUtils.delete(pluginsDir.resolve("billing-" + packaged));
    putNewerZipIn();

    start();

    assertEquals("started " + packaged, billing());
    assertEquals(
        List.of("billing-" + packaged, "billing-" + packaged + ".zip"), namesIn(pluginsDir));
  }

  @Test
  @MigratedAlready
  void anUpdateInterruptedAfterItWasRecorded_deletesTheVersionSetAsideAtRestart() throws Exception {
    installPackagedEnabledAndStop();
    start();
    post("/update", "{\"version\":\"" + NEWER + "\"}").expect(200);
    host.close();
    // the crash came before the old zip, set aside, was deleted
    Files.copy(
        BillingPluginBuilds.PACKAGED, pluginsDir.resolve("billing-" + packaged + ".zip.previous"));

    start();

    assertEquals("started " + NEWER, billing());
    assertEquals(List.of("billing-" + NEWER, "billing-" + NEWER + ".zip"), namesIn(pluginsDir));
  }

  @Test
  @MigratedAlready
  void aPackageOfAnotherVersionThanTheInstalledOne_isReplacedByTheInstalledRelease()
      throws Exception {
    installPackagedEnabledAndStop();
    Files.delete(pluginsDir.resolve("billing-" + packaged + ".zip"));
    FileUtils.delete(pluginsDir.resolve("billing-" + packaged));
    putNewerZipIn();

    start();

    // never started as if it were the installed version: deleted, and the installed one fetched
    awaitBilling("started " + packaged);
    assertEquals(
        List.of("billing-" + packaged, "billing-" + packaged + ".zip"), namesIn(pluginsDir));
  }

  private void installPackagedEnabledAndStop() {
    post("/install", "{\"version\":\"" + packaged + "\"}").expect(201);
    post("/enable", null).expect(200);
    host.close();
  }

  /** The newer build's zip in the plugins folder, as an update moves it in. */
  private void putNewerZipIn() throws Exception {
    Files.copy(
        releases.fetch("billing", NEWER).zip(), pluginsDir.resolve("billing-" + NEWER + ".zip"));
  }

  private void start() {
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(dbUrl)
                .pluginsDir(pluginsDir)
                .dataDir(work.resolve("data"))
                .clock(clock)
                .secrets(Map.of("BILLING_ADMIN_TOKEN", BillingHost.ADMIN_TOKEN))
                .pluginReleases(releases)
                .build());
    api = new BillingApi(host.port(), BillingHost.ADMIN_TOKEN);
  }

  private HostClient.Response post(String path, String body) {
    return api.http.post(PLUGIN + path, api.adminToken, body);
  }

  /** Billing as the host shows it: "<state> <version>", or "not installed". */
  private String billing() {
    for (JsonNode p :
        api.http.get("/api/admin/plugins", api.adminToken).expect(200).get("plugins")) {
      if (p.get("id").asText().equals("billing")) {
        return p.get("state").asText() + " " + p.get("version").asText();
      }
    }
    return "not installed";
  }

  private void awaitBilling(String expected) {
    String seen =
        Await.await(
            Duration.ofSeconds(20),
            Duration.ofMillis(50),
            "billing " + expected,
            this::billing,
            expected::equals);
    assertEquals(expected, seen);
  }

  private static List<String> namesIn(Path folder) throws Exception {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
