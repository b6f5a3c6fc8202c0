package io.streamspace.host.e2e;

import io.streamspace.host.support.TestRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Builds of the billing plugin for lifecycle tests, made from the zip {@code mvn package} put in
 * {@code target/test-plugins/}: the same code under another {@code plugin.version}, with extra
 * Flyway migrations in {@code classes/db/billing/} (where {@code BillingMigrations} finds them).
 */
public final class BillingPluginBuilds {
  private BillingPluginBuilds() {}

  static final Path PACKAGED = PackagedPlugin.ZIP;

  /** The packaged plugin's {@code plugin.version}. */
  public static String packagedVersion() throws IOException {
    try (ZipFile zip = new ZipFile(PACKAGED.toFile());
        InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("plugin.version");
    }
  }

  /**
   * The builds made so far in this JVM, by version and migrations: each is made once and copied
   * to the folder a test asks for (the test may change its copy).
   */
  private static final Map<String, Path> MADE = new ConcurrentHashMap<>();

  private static final Path MADE_IN = Path.of("target", "billing-builds");

  /**
   * A build of the packaged plugin as {@code version}, with {@code migrations} (file name to SQL)
   * added to its Flyway migrations.
   */
  static Path build(Path folder, String version, Map<String, String> migrations)
      throws IOException {
    Path made;
    try {
      made =
          MADE.computeIfAbsent(
              version + " " + new TreeMap<>(migrations),
              key -> {
                try {
                  return make(MADE_IN.resolve(UUID.randomUUID().toString()), version, migrations);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Files.createDirectories(folder);
    return TestRepository.copy(made, folder.resolve("billing-" + version + ".zip"));
  }

  /**
   * A copy of the packaged zip changed in place through a zip file system, which rewrites only the
   * entries changed and copies the others' compressed bytes as they are: re-deflating the whole
   * 28 MB cost some 3 s of CPU a build.
   */
  private static Path make(Path folder, String version, Map<String, String> migrations)
      throws IOException {
    Files.createDirectories(folder);
    Path built =
        Files.copy(
            PACKAGED,
            folder.resolve("billing-" + version + ".zip"),
            StandardCopyOption.REPLACE_EXISTING);
    try (FileSystem zip = FileSystems.newFileSystem(built)) {
      Path descriptor = zip.getPath("plugin.properties");
      try (InputStream in = Files.newInputStream(descriptor)) {
        byte[] changed = withVersion(in, version);
        Files.write(descriptor, changed);
      }
      for (Map.Entry<String, String> migration : migrations.entrySet()) {
        Files.writeString(
            zip.getPath("classes", "db", "billing", migration.getKey()), migration.getValue());
      }
    }
    return built;
  }

  /**
   * A "build" of the plugin as {@code version} holding only its {@code plugin.properties}: PF4J
   * loads it, but it has no code, so asking it anything fails.
   */
  static Path withoutCode(Path folder, String version) throws IOException {
    Files.createDirectories(folder);
    Path built = folder.resolve("billing-" + version + ".zip");
    try (ZipFile source = new ZipFile(PACKAGED.toFile());
        InputStream in = source.getInputStream(source.getEntry("plugin.properties"));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(built))) {
      out.putNextEntry(new ZipEntry("plugin.properties"));
      out.write(withVersion(in, version));
      out.closeEntry();
    }
    return built;
  }

  private static byte[] withVersion(InputStream in, String version) throws IOException {
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    return text.replaceAll("(?m)^plugin\\.version=.*$", "plugin.version=" + version)
        .getBytes(StandardCharsets.UTF_8);
  }
}
