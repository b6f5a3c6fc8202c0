package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.TestDatabase;
import java.util.Optional;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

class BillingMigrationsTest {

  @Test
  void aRestartReportsTheSchemaUpToDateAtItsVersionNotNull() {
    BillingMigrations.run(TestDatabase.dataSource());
    MigrateResult restart = BillingMigrations.run(TestDatabase.dataSource());

    assertEquals(0, restart.migrationsExecuted);
    String line = BillingMigrations.describe(restart);
    assertTrue(line.matches("billing schema up to date at version \\d+"), line);
  }

  /** The checksums the fast path works out are Flyway's own, for every script of the plugin. */
  @Test
  void aSchemaWhoseHistoryHoldsTheseMigrations_isToldUpToDateByOneRead_atFlywaysVersion() {
    BillingMigrations.run(TestDatabase.dataSource());
    MigrateResult restart = BillingMigrations.run(TestDatabase.dataSource());

    assertEquals(
        Optional.of(restart.initialSchemaVersion),
        BillingMigrations.upToDate(TestDatabase.dataSource()));
  }

  @Test
  void eachKindOfRunIsDescribedWithItsVersionsNeverNull() {
    assertEquals(
        "billing schema created at version 6 (6 migrations applied)",
        BillingMigrations.describe(result(null, "6", 6)));
    // the host's tables first: Flyway baselines the shared schema at 0
    assertEquals(
        "billing schema created at version 6 (6 migrations applied)",
        BillingMigrations.describe(result("0", "6", 6)));
    assertEquals(
        "billing schema migrated from version 5 to 6 (1 migrations applied)",
        BillingMigrations.describe(result("5", "6", 1)));
    assertEquals(
        "billing schema up to date at version 6", BillingMigrations.describe(result("6", null, 0)));
  }

  private static MigrateResult result(String initial, String target, int executed) {
    MigrateResult result = new MigrateResult();
    result.initialSchemaVersion = initial;
    result.targetSchemaVersion = target;
    result.migrationsExecuted = executed;
    return result;
  }
}
