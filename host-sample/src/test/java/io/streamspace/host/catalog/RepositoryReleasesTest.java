package io.streamspace.host.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.streamspace.host.catalog.ReleaseRefused.Reason;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.FreePort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryReleasesTest {

  private static final String API = "0.3.0";
  private static final Map<String, String> NEWER_INCOMPATIBLE =
      Map.of("plugin.version", "0.4.0", "plugin.requires", ">=0.4.0 & <0.5.0");
  private static final Map<String, String> NEWER_COMPATIBLE = Map.of("plugin.version", "0.3.1");

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
    assertEquals("0.3.0", fetched.version(), "0.4.0 requires another plugin-api");
    assertEquals(pluginsDir.resolve(".downloads"), fetched.zip().getParent());
    assertEquals(TestRepository.checksum(TestRepository.BILLING_ZIP), fetched.sha512());
    assertEquals(fetched.sha512(), PluginZip.sha512(fetched.zip()));
    assertTrue(fetched.url().startsWith("file:") && fetched.url().endsWith("billing-0.3.0.zip"));
  }

  @Test
  void theLatestCompatibleReleaseIsTheNewestByVersionNotByIndexOrder() throws Exception {
    repository.publishBilling(NEWER_COMPATIBLE);

    assertEquals("0.3.1", releases(repository.location()).fetch("billing", null).version());
    assertEquals("0.3.0", releases(repository.location()).fetch("billing", "0.3.0").version());
  }

  @Test
  void aTamperedZipIsRefusedByItsChecksumAndNothingIsLeftBehind() throws Exception {
    repository.tamper("billing", "0.3.0");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.3.0");

    assertEquals(Reason.CHECKSUM_MISMATCH, refused.reason());
    assertEquals("checksum_mismatch", refused.code());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aReleaseWithoutAChecksumInTheIndexIsRefused() throws Exception {
    repository.editRelease("billing", "0.3.0", "sha512sum", "");

    assertEquals(
        Reason.CHECKSUM_MISMATCH,
        refused(releases(repository.location()), "billing", "0.3.0").reason());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aReleaseRequiringAnotherPluginApiIsRefusedNamingBothVersions() {
    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.4.0");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertEquals(
        "plugin billing 0.4.0 requires plugin-api >=0.4.0 & <0.5.0 (its index entry); this host"
            + " has plugin-api 0.3.0",
        refused.getMessage());
  }

  @Test
  void theZipsOwnRequiresIsCheckedEvenWhenTheIndexSaysOtherwise() throws Exception {
    repository.editRelease("billing", "0.4.0", "requires", "*");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.4.0");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertTrue(refused.getMessage().contains("(its plugin.properties)"), refused.getMessage());
    assertEquals(List.of(), downloads());
  }

  @Test
  void aZipNamingAnotherVersionThanItsIndexEntryIsRefused() throws Exception {
    repository.editRelease("billing", "0.3.0", "version", "0.3.7");

    ReleaseRefused refused = refused(releases(repository.location()), "billing", "0.3.7");

    assertEquals(Reason.INCOMPATIBLE, refused.reason());
    assertEquals(
        "the index lists plugin billing 0.3.7 but its zip's plugin.properties says billing 0.3.0",
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

      assertEquals(served.url() + "billing-0.3.0.zip", fetched.url());
      assertEquals(fetched.sha512(), PluginZip.sha512(fetched.zip()));
    }
  }

  @Test
  void aRemoteRepositoryCannotPointTheHostAtALocalFile() throws Exception {
    Path local = repository.folder().resolve("billing-0.3.0.zip").toAbsolutePath();
    repository.editRelease("billing", "0.3.0", "url", local.toUri().toString());

    try (TestRepository.Served served = repository.serveOverHttp()) {
      ReleaseRefused refused = refused(releases(served.url()), "billing", "0.3.0");

      assertEquals(Reason.UNKNOWN_VERSION, refused.reason(), "the release is not offered");
    }
    assertEquals("0.3.0", releases(repository.location()).fetch("billing", "0.3.0").version());
  }

  @Test
  void thePluginComesFromTheFirstRepositoryListingItAndAnUnreadableOneIsPassedOver()
      throws Exception {
    TestRepository second = new TestRepository(work.resolve("second")).publishBilling();
    second.publishBilling(NEWER_COMPATIBLE);
    String missing = work.resolve("missing").toString();

    RepositoryReleases releases = releases(missing, repository.location(), second.location());

    assertEquals("0.3.0", releases.fetch("billing", null).version(), "not the second's 0.3.1");
    assertEquals(Reason.UNKNOWN_VERSION, refused(releases, "billing", "0.3.1").reason());
    assertEquals(List.of("repository 1 (a local folder)"), releases.plugins().unreachable());
  }

  @Test
  void anUnknownIdWithOneRepositoryUnreadableIsUnknownPlugin_namingNoPathOfTheHosts() {
    String missing = work.resolve("missing").toString();

    ReleaseRefused refused =
        refused(releases(repository.location(), missing), "no-such-plugin", null);

    assertEquals(Reason.UNKNOWN_PLUGIN, refused.reason(), "the readable one answered: none");
    assertEquals(
        "no plugin repository lists plugin no-such-plugin (not read: repository 2 (a local"
            + " folder); the host's log says why)",
        refused.getMessage());
  }

  @Test
  void anUnknownIdWithNoRepositoryReadableIsUnreachable_eachNamedByItsPlaceOrShownUrl() {
    String missing = work.resolve("missing").toString();
    String closedPort = "http://127.0.0.1:" + FreePort.find() + "/";

    ReleaseRefused refused = refused(releases(missing, closedPort), "no-such-plugin", null);

    assertEquals(Reason.UNREACHABLE, refused.reason());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "no plugin repository could be read to find plugin no-such-plugin: plugin"
                    + " repository 1 (a local folder) could not be read: plugins.json could not"
                    + " be read: no such file; plugin repository "
                    + closedPort
                    + " could not be read: "),
        refused.getMessage());
  }

  @Test
  void noRefusalOfALocalRepositoryNamesThePathItIsAt() throws Exception {
    Path empty = Files.createDirectories(work.resolve("empty"));
    repository.tamper("billing", "0.3.0");
    String place = work.toAbsolutePath().toString();

    List<ReleaseRefused> refusals =
        List.of(
            refused(releases(empty.toString()), "billing", null),
            refused(releases(repository.location()), "billing", "0.3.0"),
            refused(
                new RepositoryReleases(
                    List.of(repository.location()),
                    pluginsDir,
                    API,
                    new FetchLimits(LONG, 1 << 20, LONG, 10)),
                "billing",
                "0.3.0"));

    for (ReleaseRefused refusal : refusals) {
      assertFalse(refusal.getMessage().contains(place), refusal.getMessage());
      assertTrue(
          refusal.getMessage().contains("repository 1 (a local folder)"), refusal.getMessage());
    }
    assertEquals(
        "no plugin repository could be read to find plugin billing: plugin repository 1 (a local"
            + " folder) could not be read: plugins.json could not be read: no such file",
        refusals.get(0).getMessage());
  }

  @Test
  void aZipWithAnEntryOutsideItsFolderIsAnInvalidPackage_refusedBeforePf4jSeesIt()
      throws Exception {
    for (String entry : List.of("../escaped.txt", "lib/../../escaped.txt", "/tmp/escaped.txt")) {
      TestRepository slipping =
          new TestRepository(work.resolve("slip-" + Math.abs(entry.hashCode())))
              .publishPluginWithEntry(Map.of("plugin.id", "slip"), entry, "Slip");

      ReleaseRefused refused = refused(releases(slipping.location()), "slip", null);

      assertEquals(Reason.INVALID_PACKAGE, refused.reason(), entry);
      assertEquals("invalid_plugin_package", refused.code());
      assertEquals(
          "plugin slip 0.3.0 from repository 1 (a local folder), file slip-0.3.0.zip is not a"
              + " package this host unpacks: its entry '"
              + entry
              + "' would be written outside the plugin's folder; nothing was installed",
          refused.getMessage());
      assertEquals(List.of(), downloads());
    }
  }

  private static final Duration LONG = Duration.ofSeconds(30);

  private ReleaseRefused refusedWithin(FetchLimits limits, String repository) {
    RepositoryReleases releases =
        new RepositoryReleases(List.of(repository), pluginsDir, API, limits);
    return refused(releases, "billing", "0.3.0");
  }

  @Test
  void aDownloadWhoseBodyStallsIsRefusedWithinTheDeadline() throws Exception {
    try (Stalling server = stalling("/billing-0.3.0.zip")) {
      long start = System.nanoTime();

      ReleaseRefused refused =
          refusedWithin(
              new FetchLimits(LONG, 1 << 20, Duration.ofSeconds(1), 1 << 30), server.url());

      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(4)) < 0);
      assertEquals(Reason.UNREACHABLE, refused.reason());
      assertTrue(
          refused.getMessage().contains("did not send its whole answer within 1 s"),
          refused.getMessage());
      assertEquals(List.of(), downloads());
    }
  }

  @Test
  void anIndexWhoseBodyStallsMakesTheRepositoryUnreachableWithinTheDeadline() throws Exception {
    try (Stalling server = stalling("/plugins.json")) {
      FetchLimits limits = new FetchLimits(Duration.ofSeconds(1), 1 << 20, LONG, 1 << 30);

      RepositoryReleases.Listing listing =
          new RepositoryReleases(List.of(server.url()), pluginsDir, API, limits).plugins();

      assertEquals(List.of(server.url()), listing.unreachable());
    }
  }

  @Test
  void aZipOverTheSizeCapIsRefusedFromAFolderOrOverHttpAndNothingIsLeftBehind() throws Exception {
    long cap = Files.size(TestRepository.BILLING_ZIP) - 1;
    FetchLimits limits = new FetchLimits(LONG, 1 << 20, LONG, cap);

    try (TestRepository.Served served = repository.serveOverHttp()) {
      for (String location : List.of(repository.location(), served.url())) {
        ReleaseRefused refused = refusedWithin(limits, location);

        assertEquals(Reason.UNREACHABLE, refused.reason());
        assertTrue(
            refused.getMessage().contains("is larger than the " + cap + " bytes taken"),
            refused.getMessage());
        assertEquals(List.of(), downloads());
      }
    }
  }

  @Test
  void theDownloadsFolderIsEmptiedWhenTheHostStarts() throws Exception {
    Path folder = Files.createDirectories(pluginsDir.resolve(".downloads"));
    Files.write(folder.resolve("billing-0.3.0-123.zip"), new byte[] {1, 2, 3});
    Files.write(folder.resolve("billing-0.3.1-456.zip"), new byte[] {4});

    releases(repository.location());

    assertEquals(List.of(), downloads());
  }

  @Test
  void aRepositorysCredentialsAreNeitherShownNorStored() throws Exception {
    String secretRepository =
        "http://user:s3cret@127.0.0.1:" + FreePort.find() + "/repo/?token=s3cret";

    RepositoryReleases unreadable = releases(secretRepository);
    List<String> unreachable = unreadable.plugins().unreachable();
    ReleaseRefused refused = refused(unreadable, "billing", null);

    assertEquals(1, unreachable.size());
    assertFalse(unreachable.get(0).contains("s3cret"), unreachable.toString());
    assertTrue(unreachable.get(0).startsWith("http://127.0.0.1:"), unreachable.toString());
    assertFalse(refused.getMessage().contains("s3cret"), refused.getMessage());

    try (TestRepository.Served served = repository.serveOverHttp()) {
      String signed =
          served.url().replace("http://", "http://user:s3cret@") + "billing-0.3.0.zip?token=s3cret";
      repository.editRelease("billing", "0.3.0", "url", signed);

      FetchedRelease fetched = releases(served.url()).fetch("billing", "0.3.0");

      assertEquals(served.url() + "billing-0.3.0.zip", fetched.url(), "stored as package_url");
    }
  }

  @Test
  void anIndexNamingAPluginOrVersionWithAPathInItIsRefusedAsUnreachable() throws Exception {
    for (String version : List.of("../0.3.0", "0.3.0/x", "0.3.0\\x", "0..3", "0.3 0")) {
      TestRepository bad =
          new TestRepository(work.resolve("bad-" + version.hashCode())).publishBilling();
      bad.editRelease("billing", "0.3.0", "version", version);

      ReleaseRefused refused = refused(releases(bad.location()), "billing", null);

      assertEquals(Reason.UNREACHABLE, refused.reason(), version);
      assertTrue(
          refused.getMessage().contains("plugins.json has a bad entry"), refused.getMessage());
    }
    TestRepository badId =
        new TestRepository(work.resolve("bad-id"))
            .publishPlugin(Map.of("plugin.id", "../notes"), "Notes");

    assertEquals(
        List.of("repository 1 (a local folder)"),
        releases(badId.location()).plugins().unreachable());
  }

  /** A server that stalls one answer until closed. */
  private record Stalling(HttpServer server, CountDownLatch released) implements AutoCloseable {
    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
      released.countDown();
      server.stop(0);
    }
  }

  /**
   * Serves the repository's files, except {@code stalled}: its headers promise 1000 bytes, it
   * sends 10 and writes no more until closed.
   */
  private Stalling stalling(String stalled) throws IOException {
    CountDownLatch released = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          try (OutputStream out = exchange.getResponseBody()) {
            if (path.equals(stalled)) {
              exchange.sendResponseHeaders(200, 1000);
              out.write(new byte[10]);
              out.flush();
              released.await();
            } else {
              byte[] body = Files.readAllBytes(repository.folder().resolve(path.substring(1)));
              exchange.sendResponseHeaders(200, body.length);
              out.write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            // the host gave up on the stalled answer
          }
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    return new Stalling(server, released);
  }
}
