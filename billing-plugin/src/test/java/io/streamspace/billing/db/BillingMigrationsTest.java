package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.TestDatabase;
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
}
