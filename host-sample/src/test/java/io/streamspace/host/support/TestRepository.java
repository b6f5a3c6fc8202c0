package io.streamspace.host.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.streamspace.host.catalog.RepositoryFolder;
import io.streamspace.host.e2e.PackagedPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A plugin repository a test builds in a folder (pf4j-update's {@code plugins.json} and zips),
 * through the same {@link RepositoryFolder} the build publishes with: releases of the packaged
 * billing plugin as they are, or rebuilt with other descriptor values (a newer version, another
 * {@code plugin.requires}, another id), a published zip tampered with, an index entry edited,
 * and the folder served over HTTP.
 */
public final class TestRepository {

  /** The billing plugin zip {@code mvn package} made. */
  public static final Path BILLING_ZIP = PackagedPlugin.ZIP;

  public static final String BILLING_NAME = "Billing & Usage Tracking";
  public static final List<String> BILLING_TAGS = List.of("billing", "metering", "stripe");
  public static final LocalDate DATE = LocalDate.parse("2026-11-01");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The rebuilds made so far in this JVM, by descriptor changes (see {@link #rebuilt}). */
  private static final Map<Map<String, String>, Path> REBUILT = new ConcurrentHashMap<>();

  /**
   * The checksums of the builds published so far in this JVM, by file, size and time written: a
   * SHA-512 of the 30 MB zip is a quarter second of a test JVM's first-tier JIT (no intrinsic),
   * and most test classes publish the same build before each test.
   */
  private static final Map<List<Object>, String> CHECKSUMS = new ConcurrentHashMap<>();

  /** In target/, never in the system's temporary folder, as BillingPluginBuilds' builds. */
  private static final Path REBUILT_IN = Path.of("target", "rebuilt-plugins");

  private final RepositoryFolder folder;

  public TestRepository(Path folder) {
    this.folder = new RepositoryFolder(folder);
  }

  public Path folder() {
    return folder.folder();
  }

  /** The folder as the host's option takes it. */
  public String location() {
    return folder().toString();
  }

  /** Publishes the packaged billing plugin (0.3.0) as it is. */
  public TestRepository publishBilling() throws IOException {
    return publishBilling(BILLING_ZIP);
  }

  /**
   * Publishes a release of the billing plugin rebuilt with these {@code plugin.properties}
   * entries changed, e.g. {@code Map.of("plugin.version", "0.4.0", "plugin.requires",
   * ">=0.4.0 & <0.5.0")}: the same code under another version or requirement.
   */
  public TestRepository publishBilling(Map<String, String> descriptorChanges) throws IOException {
    return publishPlugin(descriptorChanges, BILLING_NAME, BILLING_TAGS.toArray(String[]::new));
  }

  /**
   * Publishes a build of the billing plugin made elsewhere (e2e.BillingPluginBuilds: another
   * version with extra migrations) as a release of the billing plugin, named and tagged as it is.
   */
  public TestRepository publishBilling(Path build) throws IOException {
    folder.publish(build, checksum(build), BILLING_NAME, BILLING_TAGS, DATE);
    return this;
  }

  /**
   * Publishes the packaged billing plugin rebuilt with these {@code plugin.properties} entries
   * changed, named and tagged as given (a plugin's name and tags are those of its latest
   * publication); with another {@code plugin.id} it is another plugin.
   */
  public TestRepository publishPlugin(
      Map<String, String> descriptorChanges, String name, String... tags) throws IOException {
    Path rebuilt = rebuilt(descriptorChanges);
    folder.publish(rebuilt, checksum(rebuilt), name, List.of(tags), DATE);
    return this;
  }

  /** A build's {@link RepositoryFolder#checksum}, hashed once per JVM while the file is unchanged. */
  public static String checksum(Path build) throws IOException {
    List<Object> key = checksumKey(build);
    String known = CHECKSUMS.get(key);
    if (known == null) {
      known = RepositoryFolder.checksum(build);
      CHECKSUMS.put(key, known);
    }
    return known;
  }

  /**
   * Copies a build to {@code target}, the copy's {@link #checksum} known as the build's: tests
   * copy a build made once per JVM into their own folder before each test (a copy the test then
   * changes is hashed anew, its size or time written changed).
   */
  public static Path copy(Path build, Path target) throws IOException {
    String known = checksum(build);
    Path copy = Files.copy(build, target, StandardCopyOption.REPLACE_EXISTING);
    CHECKSUMS.put(checksumKey(copy), known);
    return copy;
  }

  private static List<Object> checksumKey(Path build) throws IOException {
    return List.of(build.toAbsolutePath(), Files.size(build), Files.getLastModifiedTime(build));
  }

  /**
   * The packaged billing plugin rebuilt with these descriptor changes, made once per JVM (some
   * 0.3 s of copying a 28 MB zip, which tests publishing a newer release before each test paid
   * every time): publishing copies it.
   */
  private static Path rebuilt(Map<String, String> descriptorChanges) throws IOException {
    try {
      return REBUILT.computeIfAbsent(
          new TreeMap<>(descriptorChanges),
          changes -> {
            try {
              Path zip =
                  Files.createDirectories(REBUILT_IN)
                      .resolve("billing-" + UUID.randomUUID() + ".zip");
              rebuild(BILLING_ZIP, zip, changes);
              return zip;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Publishes the packaged billing plugin rebuilt with these {@code plugin.properties} entries
   * changed and one more entry, named as given, {@code ../escaped.txt} say (a zip slip): a zip
   * that would unpack a file outside the plugin's folder.
   */
  public TestRepository publishPluginWithEntry(
      Map<String, String> descriptorChanges, String entryName, String name) throws IOException {
    Path withEntry = Files.createTempFile("slipped-plugin", ".zip");
    try {
      try (ZipInputStream in =
              new ZipInputStream(Files.newInputStream(rebuilt(descriptorChanges)));
          ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(withEntry))) {
        // stored, not deflated again: deflating the whole plugin (36 MB) cost some 2 s of CPU a
        // zip, and this zip's point is its entry's name, not its size (36 MB is under every cap)
        out.setLevel(Deflater.NO_COMPRESSION);
        for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
          out.putNextEntry(new ZipEntry(entry.getName()));
          in.transferTo(out);
          out.closeEntry();
        }
        out.putNextEntry(new ZipEntry(entryName));
        out.write("written outside the plugin's folder".getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      folder.publish(withEntry, name, List.of(), DATE);
    } finally {
      Files.deleteIfExists(withEntry);
    }
    return this;
  }

  /** Appends a byte to a published zip: its SHA-512 no longer is the index's. */
  public void tamper(String pluginId, String version) throws IOException {
    Files.write(
        folder().resolve(pluginId + "-" + version + ".zip"),
        new byte[] {0},
        StandardOpenOption.APPEND);
  }

  /** Sets a field of a release in {@code plugins.json} (version, requires, url, sha512sum). */
  public void editRelease(String pluginId, String version, String field, String value)
      throws IOException {
    Path index = folder().resolve("plugins.json");
    JsonNode plugins = JSON.readTree(index.toFile());
    for (JsonNode plugin : plugins) {
      for (JsonNode release : plugin.path("releases")) {
        if (pluginId.equals(plugin.path("id").asText())
            && version.equals(release.path("version").asText())) {
          ((ObjectNode) release).put(field, value);
        }
      }
    }
    JSON.writeValue(index.toFile(), plugins);
  }

  /** Serves the folder at {@code http://127.0.0.1:<port>/} until closed. */
  public Served serveOverHttp() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Path file = folder().resolve(exchange.getRequestURI().getPath().substring(1));
          byte[] body =
              Files.isRegularFile(file)
                  ? Files.readAllBytes(file)
                  : "not found".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(Files.isRegularFile(file) ? 200 : 404, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return new Served(server, "http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The folder served over HTTP at {@link #url()}. */
  public record Served(HttpServer server, String url) implements AutoCloseable {
    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** A copy of the zip with its plugin.properties changed (the other entries copied as they are). */
  private static void rebuild(Path source, Path target, Map<String, String> changes)
      throws IOException {
    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    try (FileSystem zip = FileSystems.newFileSystem(target)) {
      Path descriptor = zip.getPath("plugin.properties");
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(descriptor)) {
        properties.load(in);
      }
      changes.forEach(properties::setProperty);
      try (OutputStream out = Files.newOutputStream(descriptor)) {
        properties.store(out, null);
      }
    }
  }
}
