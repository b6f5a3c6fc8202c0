package io.streamspace.host.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.common.db.AppliedMigrations;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A migrated host schema is told up to date by one read: its checksums are Flyway's own. */
class HostMigrationsTest {

  @Test
  void aMigratedSchema_isUpToDateAtTheLastScriptsVersion_withoutStartingFlyway() throws Exception {
    try (Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of())) {
      ClassLoader loader = HostMigrations.class.getClassLoader();
      assertEquals(
          Optional.empty(),
          AppliedMigrations.upToDate(
              database.dataSource(), loader, "db/host", "host_schema_history"));

      HostMigrations.migrate(database.dataSource());

      assertEquals(
          Optional.of(lastVersion()),
          AppliedMigrations.upToDate(
              database.dataSource(), loader, "db/host", "host_schema_history"));
    }
  }

  private static String lastVersion() throws Exception {
    Path folder = Path.of(HostMigrations.class.getClassLoader().getResource("db/host").toURI());
    try (var files = Files.list(folder)) {
      return String.valueOf(
          files
              .map(f -> f.getFileName().toString())
              .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
              .max()
              .orElseThrow());
    }
  }
}
