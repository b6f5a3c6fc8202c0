package io.streamspace.billing.db;

import io.streamspace.common.db.AppliedMigrations;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the plugin's tables with Flyway, from {@code db/billing} in the plugin's
 * own class loader. The plugin keeps its own history table because the host's tables share the
 * schema: without a baseline Flyway would refuse a non-empty schema.
 */
public final class BillingMigrations {

  private static final Logger log = LoggerFactory.getLogger(BillingMigrations.class);

  private BillingMigrations() {}

  private static final String FOLDER = "db/billing";
  private static final String HISTORY = "billing_schema_history";

  /**
   * Applies every pending migration; safe to call on every start and from several nodes. A schema
   * whose history holds exactly these migrations is told by one read, without starting Flyway.
   */
  public static void migrate(DataSource dataSource) {
    Optional<String> current = upToDate(dataSource);
    log.info(
        current.isPresent()
            ? "billing schema up to date at version " + current.get()
            : describe(run(dataSource)));
  }

  static Optional<String> upToDate(DataSource dataSource) {
    return AppliedMigrations.upToDate(
        dataSource, BillingMigrations.class.getClassLoader(), FOLDER, HISTORY);
  }

  static MigrateResult run(DataSource dataSource) {
    return run(dataSource, MigrationVersion.LATEST);
  }

  /** Applies the pending migrations up to {@code target}: a test builds an older release's. */
  static MigrateResult run(DataSource dataSource, MigrationVersion target) {
    return Flyway.configure(BillingMigrations.class.getClassLoader())
        .dataSource(dataSource)
        .table(HISTORY)
        .locations("classpath:" + FOLDER)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target(target)
        .load()
        .migrate();
  }

  /**
   * One line about what a migration run did. Flyway leaves the target version null when nothing
   * was applied, so an up-to-date schema is reported by its initial version.
   */
  static String describe(MigrateResult result) {
    if (result.migrationsExecuted == 0) {
      return "billing schema up to date at version " + result.initialSchemaVersion;
    }
    // null on an empty schema, the baseline "0" when the host's tables were there first
    if (result.initialSchemaVersion == null || "0".equals(result.initialSchemaVersion)) {
      return "billing schema created at version "
          + result.targetSchemaVersion
          + " ("
          + result.migrationsExecuted
          + " migrations applied)";
    }
    return "billing schema migrated from version "
        + result.initialSchemaVersion
        + " to "
        + result.targetSchemaVersion
        + " ("
        + result.migrationsExecuted
        + " migrations applied)";
  }
}
