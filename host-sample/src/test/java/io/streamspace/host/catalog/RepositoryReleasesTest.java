package io.streamspace.host.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.catalog.ReleaseRefused.Reason;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryReleasesTest {

  private static final String API = "0.2.0";
  private static final Map<String, String> NEWER_INCOMPATIBLE =
      Map.of("plugin.version", "0.3.0", "plugin.requires", ">=0.3.0 & <0.4.0");
  private static final Map<String, String> NEWER_COMPATIBLE = Map.of("plugin.version", "0.2.1");

  @TempDir Path work;
  private TestRepository repository;
  private Path pluginsDir;

  @BeforeEach
  void aRepositoryWithTheBillingPluginAndANewerReleaseForAnotherPluginApi() throws IOException {
    repository = new TestRepository(work.resolve("repository")).publishBilling();
    repository.publishBilling(NEWER_INCOMPATIBLE);
    pluginsDir = work.resolve("plugins");
  }

  private RepositoryReleases releases(String... repositories) {
    return new RepositoryReleases(List.of(repositories), pluginsDir, API);
  }

  private ReleaseRefused refused(RepositoryReleases releases, String id, String version) {
    return assertThrows(ReleaseRefused.class, () -> releases.fetch(id, version));
  }

  private List<Path> downloads() throws IOException {
    Path folder = pluginsDir.resolve(".downloads");
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList();
    }
  }

  @Test
  void fetchesTheLatestReleaseThisHostAcceptsIntoTheDownloadsFolderVerified() throws Exception {
    FetchedRelease fetched = releases(repository.location()).fetch("billing", null);

    assertEquals("billing", fetched.pluginId());
    assertEquals("0.2.0", fetched.version(), "0.3.0 requires another plugin-api");
    assertEquals(pluginsDir.resolve(".downloads"), fetched.zip().getParent());
    assertEquals(PluginZip.sha512(TestRepository.BILLING_ZIP), fetched.sha512());
    assertEquals(fetched.sha512(), PluginZip.sha512(fetched.zip()));
    assertTrue(fetched.url().startsWith("file:") && fetched.url().endsWith("billing-0.2.0.zip"));
  }

  @Test
  void theLatestCompatibleReleaseIsTheNewestByVersionNotByIndexOrder() throws Exception {
    repository.publishBilling(NEWER_COMPATIBLE);

    assertEquals("0.2.1", releases(repository.location()).fetch("billing", null).version());
    assertEquals("0.2.0", releases(repository.location()).fetch("billing", "0.2.0").version());
  }

  @Test
  void aTamperedZipIsRefusedByItsChecksumAndNothingIsLeftBehind() throws Exception {
    repository.tamper("billing", "0.2.0");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.2.0");

    assertEquals(Reason.CHECKSUM_MISMATCH, refused.reason());
    assertEquals("checksum_mismatch", refused.code());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aReleaseWithoutAChecksumInTheIndexIsRefused() throws Exception {
    repository.editRelease("billing", "0.2.0", "sha512sum", "");

    assertEquals(
        Reason.CHECKSUM_MISMATCH,
        refused(releases(repository.location()), "billing", "0.2.0").reason());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aReleaseRequiringAnotherPluginApiIsRefusedNamingBothVersions() {
    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.3.0");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertEquals(
        "plugin billing 0.3.0 requires plugin-api >=0.3.0 & <0.4.0 (its index entry); this host"
            + " has plugin-api 0.2.0",
        refused.getMessage());
  }

  @Test
  void theZipsOwnRequiresIsCheckedEvenWhenTheIndexSaysOtherwise() throws Exception {
    repository.editRelease("billing", "0.3.0", "requires", "*");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.3.0");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertTrue(refused.getMessage().contains("(its plugin.properties)"), refused.getMessage());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aZipNamingAnotherVersionThanItsIndexEntryIsRefused() throws Exception {
    repository.editRelease("billing", "0.2.0", "version", "0.2.7");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.2.7");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertEquals(
        "the index lists plugin billing 0.2.7 but its zip's plugin.properties says billing 0.2.0",
        refused.getMessage());
    assertEquals(List.of(), downloads());
  }

  @Test
  void anUnknownPluginOrVersionIsRefusedAsSuch() {
    RepositoryReleases releases = releases(repository.location());

    assertEquals(Reason.UNKNOWN_PLUGIN, refused(releases, "nope", null).reason());
    assertEquals(Reason.UNKNOWN_VERSION, refused(releases, "billing", "9.9.9").reason());
  }

  @Test
  void aRepositoryThatDoesNotAnswerIsUnreachable() {
    String closedPort = "http://127.0.0.1:" + FreePort.find() + "/";

    ReleaseRefused refused = refused(releases(closedPort), "billing", null);

    assertEquals(Reason.UNREACHABLE, refused.reason());
    assertEquals("repository_unreachable", refused.code());
  }

  @Test
  void aRepositoryServedOverHttpIsFetchedFrom() throws Exception {
    try (TestRepository.Served served = repository.serveOverHttp()) {
      FetchedRelease fetched = releases(served.url()).fetch("billing", null);

      assertEquals(served.url() + "billing-0.2.0.zip", fetched.url());
      assertEquals(fetched.sha512(), PluginZip.sha512(fetched.zip()));
    }
  }

  @Test
  void aRemoteRepositoryCannotPointTheHostAtALocalFile() throws Exception {
    Path local = repository.folder().resolve("billing-0.2.0.zip").toAbsolutePath();
    repository.editRelease("billing", "0.2.0", "url", local.toUri().toString());

    try (TestRepository.Served served = repository.serveOverHttp()) {
      ReleaseRefused refused = refused(releases(served.url()), "billing", "0.2.0");

      assertEquals(Reason.UNKNOWN_VERSION, refused.reason(), "the release is not offered");
    }
    assertEquals("0.2.0", releases(repository.location()).fetch("billing", "0.2.0").version());
  }

  @Test
  void thePluginComesFromTheFirstRepositoryListingItAndAnUnreadableOneIsPassedOver()
      throws Exception {
    TestRepository second = new TestRepository(work.resolve("second")).publishBilling();
    second.publishBilling(NEWER_COMPATIBLE);
    String missing = work.resolve("missing").toString();

    RepositoryReleases releases = releases(missing, repository.location(), second.location());

    assertEquals("0.2.0", releases.fetch("billing", null).version(), "not the second's 0.2.1");
    assertEquals(Reason.UNKNOWN_VERSION, refused(releases, "billing", "0.2.1").reason());
    assertEquals(List.of(missing), releases.plugins().unreachable());
  }
}
