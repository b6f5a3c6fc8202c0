package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issue's catalog scenario, end to end: a repository the test builds (pf4j-update's
 * {@code plugins.json} and zips) with the packaged billing plugin and a newer build of it with an
 * extra migration, served over HTTP and given to the host as its {@code --plugin-repository};
 * an admin finds the plugin, installs, enables, updates under a steady event load, uninstalls and
 * reinstalls it through the API, and the repository's bad releases are refused. The scenario's
 * first install is on an empty database; the other tests, whose install is only their setting,
 * start on one migrated already ({@link MigratedAlready}), as a reinstall finds it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogScenarioE2ETest {
  private static final Logger log = LoggerFactory.getLogger(CatalogScenarioE2ETest.class);

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final String NEWER = "0.3.1";
  private static final String BROKEN = "0.3.2-broken";
  private static final String INCOMPATIBLE = "0.4.0";
  private static final String PLUGIN = "/api/admin/plugins/billing";

  private final MutableClock clock = new MutableClock(NOW);
  private String packaged;
  private Path newerBuild;
  private Path brokenBuild;

  /** This test's folder (plugins, repository, data): a @TempDir, deleted once the test is done. */
  private Path work;

  private Path pluginsDir;
  private String dbUrl;
  private TestRepository repository;
  private TestRepository.Served served;
  private Host host;
  private BillingApi api;
  private String platformToken;

  @BeforeAll
  void buildTheReleases(@TempDir Path builds) throws Exception {
    packaged = BillingPluginBuilds.packagedVersion();
    newerBuild =
        BillingPluginBuilds.build(
            builds,
            NEWER,
            Map.of("V900__catalog_marker.sql", "CREATE TABLE catalog_marker (id INT);"));
    brokenBuild =
        BillingPluginBuilds.build(
            builds, BROKEN, Map.of("V900__broken.sql", "CREATE TABLE broken_by_design (;"));
  }

  /** A repository with the packaged plugin and the newer build, served over HTTP to the host. */
  @BeforeEach
  void startAHostWithTheRepository(@TempDir Path work, TestInfo test) throws Exception {
    this.work = work;
    pluginsDir = Files.createDirectories(work.resolve("plugins"));
    dbUrl = MigratedDatabases.freshDatabaseUrlFor(test);
    repository =
        new TestRepository(work.resolve("repository")).publishBilling().publishBilling(newerBuild);
    served = repository.serveOverHttp();
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(dbUrl)
                .pluginsDir(pluginsDir)
                .pluginRepository(served.url())
                .dataDir(work.resolve("data"))
                .clock(clock)
                .secrets(Map.of("BILLING_ADMIN_TOKEN", BillingHost.ADMIN_TOKEN))
                .build());
    api = new BillingApi(host.port(), BillingHost.ADMIN_TOKEN);
    platformToken = api.token("platform", "platform");
  }

  @AfterEach
  void stopHostAndRepository() {
    host.close();
    served.close();
  }

  @Test
  void anAdminFindsInstallsAndEnablesThePlugin_thenAnUpdateUnderLoadBillsEveryEventOnce()
      throws Exception {
    JsonNode found = catalogEntry("Billing & Usage Tracking");
    assertEquals(found, catalogEntry("metering"), "found by a tag too");
    assertEquals(NEWER, found.get("latest_version").asText());
    assertTrue(found.get("installed_version").isNull());
    assertFalse(found.get("update_available").asBoolean());
    assertEquals("not_installed", found.get("state").asText());

    assertEquals(packaged, install(packaged).expect(201).get("version").asText());
    JsonNode installed = catalogEntry("billing");
    assertEquals(packaged, installed.get("installed_version").asText());
    assertTrue(installed.get("update_available").asBoolean());
    assertEquals("started", post("/enable", null).expect(200).get("state").asText());

    String user = BillingHostTestBase.newUser("steady");
    RetryingPlatform load = RetryingPlatform.start(api.http, platformToken, user, at("01:00"));
    JsonNode updated;
    long updateStarted;
    long updateEnded;
    try (load) {
      load.awaitAcceptedBatches(3);
      updateStarted = System.nanoTime();
      updated = post("/update", "{}").expect(200);
      updateEnded = System.nanoTime();
      load.awaitAcceptedBatches(load.acceptedBatches() + 3);
    }

    assertEquals(NEWER, updated.get("version").asText());
    assertEquals("started", updated.get("state").asText());
    long postsDuringTheUpdate =
        load.answers().stream()
            .filter(a -> a.sentAt() < updateEnded && a.answeredAt() > updateStarted)
            .count();
    log.info(
        "{} batches accepted, {} posts while the update ran ({} ms)",
        load.acceptedBatches(),
        postsDuringTheUpdate,
        Duration.ofNanos(updateEnded - updateStarted).toMillis());
    assertTrue(postsDuringTheUpdate > 0, "the platform posted while the update ran");
    assertTrue(tableExists("catalog_marker"), "the newer version's migration ran");
    JsonNode after = catalogEntry("billing");
    assertEquals(NEWER, after.get("installed_version").asText());
    assertFalse(after.get("update_available").asBoolean());
    assertEveryAcceptedEventBilledOnce(load, user);
  }

  @Test
  @MigratedAlready
  void aTamperedZip_andAReleaseForAnotherPluginApi_areRefusedWithNothingChanged() throws Exception {
    repository.tamper("billing", NEWER);

    JsonNode tampered = install(NEWER).expect(502);

    assertEquals("checksum_mismatch", tampered.at("/error/code").asText());
    assertEquals("not_installed", catalogEntry("billing").get("state").asText());
    assertEquals(List.of(), filesIn(pluginsDir.resolve(".downloads")));
    assertEquals(List.of(), zipsInThePluginsFolder());

    install(packaged).expect(201);
    post("/enable", null).expect(200);
    repository.publishBilling(
        Map.of("plugin.version", INCOMPATIBLE, "plugin.requires", ">=0.4.0 & <0.5.0"));

    JsonNode incompatible = post("/update", "{\"version\":\"" + INCOMPATIBLE + "\"}").expect(409);

    assertEquals("incompatible_plugin_api", incompatible.at("/error/code").asText());
    assertTrue(incompatible.at("/error/message").asText().contains(INCOMPATIBLE));
    JsonNode billing = catalogEntry("billing");
    assertEquals(packaged, billing.get("installed_version").asText());
    assertEquals("started", billing.get("state").asText());
    assertEquals(List.of("billing-" + packaged + ".zip"), zipsInThePluginsFolder());
    assertEquals(List.of(), filesIn(pluginsDir.resolve(".downloads")));
  }

  @Test
  @MigratedAlready
  void uninstall_keepsTheData_andAReinstallFromTheRepositoryBillsOnFromIt() throws Exception {
    install(packaged).expect(201);
    post("/enable", null).expect(200);
    String user = BillingHostTestBase.newUser("again");
    String token = api.token(user, "user");
    postSession("a-" + user, user, "01:00", "03:00");
    api.awaitCaughtUp("billing");

    assertEquals("not_installed", post("/uninstall", "{}").expect(200).get("state").asText());
    assertEquals(List.of(), zipsInThePluginsFolder());
    assertTrue(tableExists("billing_sessions"), "its data stays");
    postSession("b-" + user, user, "03:00", "11:00");
    JsonNode reinstalled = post("/install", "{}").expect(201);
    assertEquals(NEWER, reinstalled.get("version").asText(), "the latest, with no version asked");
    post("/enable", null).expect(200);

    JsonNode usage = api.usageOnceRated(token, "?from=2026-03-10&to=2026-03-11");
    // 2 h before the uninstall and 8 h journaled while uninstalled, 2 cores and 4 GB at 0.14/h
    assertEquals("1.40", UsageLines.amount(usage, "total_cost"), usage.toString());
  }

  @Test
  @MigratedAlready
  void aFailedUpdate_isRolledBack_withTheOldVersionRunningAndBilling() throws Exception {
    repository.publishBilling(brokenBuild);
    install(packaged).expect(201);
    post("/enable", null).expect(200);
    String user = BillingHostTestBase.newUser("rollback");
    String token = api.token(user, "user");
    api.postEvents(
        platformToken,
        List.of(Events.sessionCreated("r-" + user, user, at("01:00"), "2", "4", "0")));

    JsonNode failed = post("/update", "{\"version\":\"" + BROKEN + "\"}").expect(409);

    assertEquals("update_failed", failed.at("/error/code").asText());
    JsonNode billing = catalogEntry("billing");
    assertEquals(packaged, billing.get("installed_version").asText());
    assertEquals("started", billing.get("state").asText());
    assertEquals(List.of("billing-" + packaged + ".zip"), zipsInThePluginsFolder());
    assertFalse(tableExists("broken_by_design"));
    assertEquals("rolled_back", history().get(0).get("outcome").asText());
    api.postEvents(
        platformToken, List.of(Events.sessionTerminated("r-" + user, user, at("11:00"))));
    JsonNode usage = api.usageOnceRated(token, "?from=2026-03-10&to=2026-03-11");
    // 10 h of 2 cores and 4 GB at 0.14/h, billed once by the version put back
    assertEquals("1.40", UsageLines.amount(usage, "total_cost"), usage.toString());
  }

  /**
   * Each event the platform had accepted journaled once, and each of its sessions billed its one
   * core-hour once (usage records), and no other: nothing lost or doubled.
   */
  private void assertEveryAcceptedEventBilledOnce(RetryingPlatform load, String user)
      throws SQLException {
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");
    RetryingPlatform.Tally tally;
    try (Connection db = DriverManager.getConnection(dbUrl)) {
      tally = load.tally(db);
    }
    assertEquals(0, tally.lost(), tally.toString());
    assertEquals(0, tally.doubled(), tally.toString());
    JsonNode usage =
        api.usage(api.adminToken, "?from=2026-03-10&to=2026-03-11&user_id=" + user).expect(200);
    assertEquals(
        0,
        BigDecimal.valueOf(load.acknowledgedSessions().size())
            .compareTo(UsageLines.quantity(UsageLines.line(usage, "cpu"))),
        "one core-hour for each accepted session, and none other: " + usage);
  }

  /** Posts a session of 2 cores and 4 GB (0.14 an hour) from one time of the day to another. */
  private void postSession(String sessionId, String user, String from, String to) {
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(sessionId, user, at(from), "2", "4", "0"),
            Events.sessionTerminated(sessionId, user, at(to))));
  }

  /** The catalog's only plugin matching {@code q}. */
  private JsonNode catalogEntry(String q) {
    JsonNode plugins =
        api.http
            .get(
                "/api/admin/plugins/catalog?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8),
                api.adminToken)
            .expect(200)
            .get("plugins");
    assertEquals(1, plugins.size(), plugins.toString());
    assertEquals("billing", plugins.get(0).get("id").asText());
    return plugins.get(0);
  }

  private HostClient.Response install(String version) {
    return post("/install", "{\"version\":\"" + version + "\"}");
  }

  private HostClient.Response post(String action, String body) {
    return api.http.post(PLUGIN + action, api.adminToken, body);
  }

  private JsonNode history() {
    return api.http.get(PLUGIN + "/history", api.adminToken).expect(200).get("operations");
  }

  private List<String> zipsInThePluginsFolder() throws Exception {
    return filesIn(pluginsDir).stream().filter(name -> name.endsWith(".zip")).toList();
  }

  /** The names of the files in a folder, sorted; none when it does not exist. */
  private static List<String> filesIn(Path folder) throws Exception {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @MigratedAlready
  void aReleaseUrlWithCredentials_isFetchedWithThem_andStoredWithout() throws Exception {
    String zip = "billing-" + packaged + ".zip";
    String signed = served.url().replace("http://", "http://user:s3cret@") + zip + "?token=s3cret";
    repository.editRelease("billing", packaged, "url", signed);

    install(packaged).expect(201);

    try (Connection db = DriverManager.getConnection(dbUrl);
        PreparedStatement statement =
            db.prepareStatement(
                "SELECT package_url FROM host_plugins WHERE plugin_id = 'billing'");
        ResultSet rows = statement.executeQuery()) {
      assertTrue(rows.next());
      assertEquals(served.url() + zip, rows.getString(1));
    }
  }

  private boolean tableExists(String table) throws SQLException {
    try (Connection db = DriverManager.getConnection(dbUrl);
        PreparedStatement statement = db.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-10T" + time + ":00Z");
  }
}
