package io.streamspace.host.e2e;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.TestInfo;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.util.FileUtils;

/**
 * Fresh databases on which the host's migrations and the packaged billing plugin's have run
 * already, for tests of what a started host does with billing, not of its first start on an empty
 * database: each is a copy of one database migrated once per test JVM. The plugin's migrations
 * are some 54 Flyway scripts, a second or two of a loaded machine's time at every first start,
 * which some 40 test classes paid each; on a copy the plugin finds its schema up to date, as at a
 * host's restart. First starts and first installs on an empty database stay with {@link
 * TestDatabases#freshDatabaseUrl()} (the catalog and killed-node tests, the lifecycle tests not
 * marked {@link MigratedAlready}, among others).
 */
public final class MigratedDatabases {

  private static final Path MIGRATED_IN = Path.of("target", "migrated-billing");

  private static String template;

  private MigratedDatabases() {}

  /** A new database holding the host's and the billing plugin's schemas, and no rows of a test. */
  public static synchronized String freshDatabaseUrl() {
    if (template == null) {
      template = migratedTemplate();
    }
    return TestDatabases.freshDatabaseUrlCopying(template);
  }

  /**
   * A new database for {@code test}: a migrated copy when the test is marked {@link
   * MigratedAlready}, else an empty one.
   */
  static String freshDatabaseUrlFor(TestInfo test) {
    boolean migrated =
        test.getTestMethod().map(m -> m.isAnnotationPresent(MigratedAlready.class)).orElse(false);
    return migrated ? freshDatabaseUrl() : TestDatabases.freshDatabaseUrl();
  }

  /** Migrates a fresh database as a host's first start with billing does: the host's first. */
  private static String migratedTemplate() {
    String url = TestDatabases.freshDatabaseUrl();
    try (Database database = Database.external(url, Map.of())) {
      HostMigrations.migrate(database.dataSource());
      migrateBilling(database.dataSource());
    }
    return TestDatabases.databaseName(url);
  }

  /**
   * Runs the billing plugin's own migrations from the packaged zip, in the class loader PF4J gives
   * the plugin (its Flyway and its scripts), as the plugin does when it starts.
   */
  private static void migrateBilling(DataSource dataSource) {
    Path folder = null;
    PluginManager pf4j = null;
    try {
      // in target/, as the builds of BillingPluginBuilds: never in the system's temporary folder
      folder = Files.createDirectories(MIGRATED_IN.resolve(UUID.randomUUID().toString()));
      pf4j = new DefaultPluginManager(PackagedPlugin.copyExpandedInto(folder));
      pf4j.loadPlugins();
      Class.forName(
              "io.streamspace.billing.db.BillingMigrations",
              true,
              pf4j.getPluginClassLoader("billing"))
          .getMethod("migrate", DataSource.class)
          .invoke(null, dataSource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
      throw new IllegalStateException("the billing plugin's migrations failed", cause);
    } finally {
      if (pf4j != null) {
        pf4j.unloadPlugins();
      }
      if (folder != null) {
        try {
          FileUtils.delete(folder);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
