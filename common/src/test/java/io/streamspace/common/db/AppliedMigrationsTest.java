package io.streamspace.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.common.support.TestDataSource;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history that holds exactly a folder's migrations is up to date; anything else leaves the work
 * to Flyway. The history here is written as Flyway writes it (its table's columns); that the
 * checksums are Flyway's own is shown on the billing plugin's scripts ({@code
 * BillingMigrationsTest}).
 */
class AppliedMigrationsTest {

  private final DataSource dataSource = TestDataSource.get();

  @TempDir Path classes;
  private ClassLoader loader;
  private int first;
  private int second;

  @BeforeEach
  void twoScriptsBothApplied() throws Exception {
    Path folder = Files.createDirectories(classes.resolve("db/test"));
    Files.writeString(folder.resolve("V1__first_tables.sql"), "CREATE TABLE a (n int);\n");
    Files.writeString(folder.resolve("V2__second.sql"), "CREATE TABLE b (n int);\nSELECT 1;\n");
    loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);
    first = AppliedMigrations.checksum(folder.resolve("V1__first_tables.sql"));
    second = AppliedMigrations.checksum(folder.resolve("V2__second.sql"));
    execute(
        "DROP TABLE IF EXISTS test_history;"
            + " CREATE TABLE test_history (installed_rank int, version text, description text,"
            + " type text, checksum int, success boolean)");
    history(1, "0", "<< Flyway Baseline >>", "BASELINE", null, true);
    history(2, "1", "first tables", "SQL", first, true);
    history(3, "2", "second", "SQL", second, true);
  }

  @Test
  void aHistoryOfExactlyTheFoldersMigrations_isUpToDateAtTheLatestVersion() {
    assertEquals(Optional.of("2"), upToDate());
  }

  @Test
  void aScriptNotAppliedYet_orAppliedAndChangedSince_isForFlyway() throws Exception {
    execute("DELETE FROM test_history WHERE version = '2'");
    assertEquals(Optional.empty(), upToDate(), "V2 pending");

    history(3, "2", "second", "SQL", second + 1, true);
    assertEquals(Optional.empty(), upToDate(), "V2 changed since it was applied");

    execute(
        "UPDATE test_history SET checksum = "
            + second
            + ", description = 'renamed'"
            + " WHERE version = '2'");
    assertEquals(Optional.empty(), upToDate(), "descriptions changed");
  }

  @Test
  void aFailedMigration_aMigrationTheFolderLacks_orAnotherKindOfRow_isForFlyway() throws Exception {
    execute("UPDATE test_history SET success = false WHERE version = '2'");
    assertEquals(Optional.empty(), upToDate(), "V2 failed");

    execute("UPDATE test_history SET success = true");
    history(4, "3", "of a later release", "SQL", 7, true);
    assertEquals(Optional.empty(), upToDate(), "V3, of a later release");

    execute("DELETE FROM test_history WHERE version = '3'");
    history(4, null, "views", "SQL_REPEATABLE", 7, true);
    assertEquals(Optional.empty(), upToDate(), "a repeatable migration");
  }

  @Test
  void noHistoryYet_aFileFlywayNamesOtherwise_orNoFolder_isForFlyway() throws Exception {
    execute("DROP TABLE test_history");
    assertEquals(Optional.empty(), upToDate(), "no history table");

    twoScriptsBothApplied();
    Files.writeString(classes.resolve("db/test/R__views.sql"), "SELECT 1;\n");
    assertEquals(Optional.empty(), upToDate(), "a repeatable script");

    assertEquals(
        Optional.empty(),
        AppliedMigrations.upToDate(dataSource, loader, "db/none", "test_history"),
        "no such folder");
  }

  @Test
  void twoScriptsOfOneVersion_theFolderInAJar_orInTwoPlaces_isForFlyway() throws Exception {
    Files.writeString(classes.resolve("db/test/V2__another.sql"), "SELECT 2;\n");
    assertEquals(Optional.empty(), upToDate(), "V2 twice: Flyway refuses it");
    Files.delete(classes.resolve("db/test/V2__another.sql"));
    assertEquals(Optional.of("2"), upToDate());

    Path jar = classes.resolveSibling(classes.getFileName() + ".jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new ZipEntry("db/")); // folders' entries, as a jar the build makes has
      out.putNextEntry(new ZipEntry("db/test/"));
      for (String name : List.of("V1__first_tables.sql", "V2__second.sql")) {
        out.putNextEntry(new ZipEntry("db/test/" + name));
        out.write(Files.readAllBytes(classes.resolve("db/test/" + name)));
      }
    }
    ClassLoader inAJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    assertEquals(
        Optional.empty(),
        AppliedMigrations.upToDate(dataSource, inAJar, "db/test", "test_history"),
        "in a jar");

    ClassLoader twoPlaces =
        new URLClassLoader(new URL[] {classes.toUri().toURL(), jar.toUri().toURL()}, null);
    assertEquals(
        Optional.empty(),
        AppliedMigrations.upToDate(dataSource, twoPlaces, "db/test", "test_history"),
        "in two places: Flyway reads both");
  }

  @Test
  void theChecksum_isOfTheLinesWithoutTheirEndingsOrAByteOrderMark() throws Exception {
    Path unix = Files.writeString(classes.resolve("unix.sql"), "SELECT 1;\nSELECT 2;\n");
    Path windows =
        Files.write(
            classes.resolve("windows.sql"),
            "\uFEFFSELECT 1;\r\nSELECT 2;".getBytes(StandardCharsets.UTF_8));
    Path other = Files.writeString(classes.resolve("other.sql"), "SELECT 1;\nSELECT 3;\n");

    assertEquals(AppliedMigrations.checksum(unix), AppliedMigrations.checksum(windows));
    assertEquals(
        false, AppliedMigrations.checksum(unix) == AppliedMigrations.checksum(other), "content");
  }

  private Optional<String> upToDate() {
    return AppliedMigrations.upToDate(dataSource, loader, "db/test", "test_history");
  }

  private void history(
      int rank, String version, String description, String type, Integer checksum, boolean ok)
      throws SQLException {
    execute(
        "INSERT INTO test_history VALUES (%d, %s, '%s', '%s', %s, %s)"
            .formatted(
                rank,
                version == null ? "NULL" : "'" + version + "'",
                description,
                type,
                checksum,
                ok));
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
