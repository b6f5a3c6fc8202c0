package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.FreePort;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/admin/plugins/catalog?q=} on a host with the billing plugin 0.3.0 in its plugins
 * folder, a recording plugin handed in-process, and three repositories: one that cannot be read,
 * one with billing 0.3.0, 0.3.1 and 0.4.0 (which requires plugin-api 0.4) and a "notes" plugin,
 * and one listing billing again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogSearchTest {

  private static final String CATALOG = "/api/admin/plugins/catalog";

  /** The repositories, plugins and data: a @TempDir, deleted once the class is done. */
  private Path work;

  private String missingRepository;
  private int closedPort;
  private Host host;
  private HostClient http;

  @BeforeAll
  void startAHostWithRepositories(@TempDir Path work) throws Exception {
    this.work = work;
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    repository.publishBilling(Map.of("plugin.version", "0.3.1"));
    repository.publishBilling(
        Map.of("plugin.version", "0.4.0", "plugin.requires", ">=0.4.0 & <0.5.0"));
    repository.publishPlugin(
        Map.of("plugin.id", "notes", "plugin.description", "Keeps what admins wrote"),
        "Session Notes",
        "annotations");
    TestRepository later = new TestRepository(work.resolve("later"));
    later.publishPlugin(Map.of("plugin.version", "0.9.0"), "Billing from elsewhere");
    missingRepository = work.resolve("missing").toString();
    closedPort = FreePort.find();
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(TestDatabases.freshDatabaseUrl())
                .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins")))
                .pluginRepository(missingRepository)
                .pluginRepository(repository.location())
                .pluginRepository(later.location())
                .pluginRepository(
                    "http://user:s3cret@127.0.0.1:" + closedPort + "/repo/?token=s3cret")
                .dataDir(work.resolve("data"))
                .secrets(Map.of("BILLING_ADMIN_TOKEN", HostTestBase.ADMIN_TOKEN))
                .plugin("rec", new RecordingPlugin())
                .unsafeFastEmbeddedDatabaseForTests()
                .build());
    http = new HostClient(host.port());
  }

  @AfterAll
  void stopHost() {
    host.close();
  }

  private JsonNode search(String q) {
    String query = q == null ? "" : "?q=" + q;
    return http.get(CATALOG + query, HostTestBase.ADMIN_TOKEN).expect(200);
  }

  private static List<String> ids(JsonNode answer) {
    List<String> ids = new ArrayList<>();
    answer.get("plugins").forEach(p -> ids.add(p.get("id").asText()));
    return ids;
  }

  private static JsonNode plugin(JsonNode answer, String id) {
    for (JsonNode plugin : answer.get("plugins")) {
      if (plugin.get("id").asText().equals(id)) {
        return plugin;
      }
    }
    throw new AssertionError("no " + id + " in " + answer);
  }

  @Test
  void listsTheRepositoriesPluginsThenTheLoadedOnesNoRepositoryLists() {
    JsonNode all = search(null);

    assertEquals(List.of("billing", "notes", "rec"), ids(all));
    assertEquals(
        List.of("repository 1 (a local folder)"),
        List.of(all.at("/unreachable_repositories/0").asText()),
        "named by its place in the list, not by " + missingRepository);
  }

  @Test
  void anUnreachableRepositoryIsNamedWithoutItsCredentials() {
    JsonNode unreachable = search(null).get("unreachable_repositories");

    assertEquals(2, unreachable.size(), unreachable.toString());
    assertEquals("http://127.0.0.1:" + closedPort + "/repo/", unreachable.get(1).asText());
  }

  @Test
  void searchesIdNameDescriptionAndTagsIgnoringCase() {
    assertEquals(List.of("billing"), ids(search("BILLING")), "id");
    assertEquals(List.of("billing"), ids(search("tracking")), "name");
    assertEquals(List.of("notes"), ids(search("admins%20wrote")), "description");
    assertEquals(List.of("notes"), ids(search("Annotation")), "tags");
    assertEquals(List.of("rec"), ids(search("rec")), "a loaded plugin no repository lists");
    assertEquals(List.of(), ids(search("nothing-like-it")));
  }

  @Test
  void showsTheLatestCompatibleReleaseTheInstalledVersionAndThatAnUpdateIsAvailable() {
    JsonNode billing = plugin(search("billing"), "billing");

    assertEquals("Billing & Usage Tracking", billing.get("name").asText());
    assertEquals("StreamSpace Billing contributors", billing.get("provider").asText());
    assertEquals("[\"billing\",\"metering\",\"stripe\"]", billing.get("tags").toString());
    assertEquals("0.3.1", billing.get("latest_version").asText(), "0.4.0 needs plugin-api 0.4");
    assertEquals("0.3.0", billing.get("installed_version").asText());
    assertTrue(billing.get("update_available").asBoolean());
    assertEquals("started", billing.get("state").asText());
    assertTrue(billing.get("config_schema").toString().contains("\"name\":\"invoiceDay\""));
  }

  @Test
  void aPluginOnlyInARepositoryIsNotInstalledAndHasNoSchemaYet() {
    JsonNode notes = plugin(search("notes"), "notes");

    assertEquals("Session Notes", notes.get("name").asText());
    assertEquals("0.3.0", notes.get("latest_version").asText());
    assertTrue(notes.get("installed_version").isNull());
    assertFalse(notes.get("update_available").asBoolean());
    assertEquals("not_installed", notes.get("state").asText());
    assertEquals(0, notes.get("config_schema").size());
  }

  @Test
  void onlyAdminsSearchTheCatalog() {
    String user =
        http.post(
                "/api/admin/tokens",
                HostTestBase.ADMIN_TOKEN,
                "{\"user_id\":\"alice\",\"roles\":[\"user\"]}")
            .expect(201)
            .get("token")
            .asText();

    assertEquals(403, http.get(CATALOG, user).status());
    assertEquals(401, http.get(CATALOG, null).status());
  }
}
