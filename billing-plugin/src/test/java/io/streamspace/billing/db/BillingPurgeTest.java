package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.billing.BillingExtension;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** On a database of its own: the purge drops the schema other tests use. */
class BillingPurgeTest {

  // Every object of the current schema that is not an extension's: relations (tables, indexes,
  // sequences, views), routines and types other than tables' row types and arrays.
  private static final String CATALOG =
      """
      SELECT 'relation ' || o.relname FROM pg_class o
      WHERE o.relnamespace = current_schema()::regnamespace AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = o.oid AND d.deptype = 'e')
      UNION ALL
      SELECT 'routine ' || o.proname FROM pg_proc o
      WHERE o.pronamespace = current_schema()::regnamespace AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = o.oid AND d.deptype = 'e')
      UNION ALL
      SELECT 'type ' || o.typname FROM pg_type o
      WHERE o.typnamespace = current_schema()::regnamespace AND o.typrelid = 0
        AND o.typcategory <> 'A' AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_type'::regclass AND d.objid = o.oid AND d.deptype = 'e')""";

  private HikariDataSource dataSource;

  @BeforeEach
  void freshDatabase() {
    dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(TestDatabases.freshDatabaseUrl());
    dataSource.setMaximumPoolSize(2);
  }

  @AfterEach
  void closePool() {
    dataSource.close();
  }

  @Test
  void everyObjectTheMigrationsCreateIsNamedBillingSoThePurgeFindsIt() throws SQLException {
    Set<String> before = catalog();
    BillingMigrations.run(dataSource);

    Set<String> created = catalog();
    created.removeAll(before);
    assertTrue(created.contains("relation billing_schema_history"), created.toString());
    assertTrue(created.contains("routine billing_require_active_subscription"), created.toString());
    Set<String> misnamed =
        created.stream()
            .filter(object -> !object.split(" ")[1].startsWith("billing_"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), misnamed, "objects a purge would leave behind");
  }

  @Test
  void aPurgeLeavesNoBillingObjectAndMigratingAgainCreatesTheWholeSchema() throws SQLException {
    Set<String> before = catalog();
    MigrateResult first = BillingMigrations.run(dataSource);
    execute("INSERT INTO billing_invoice_numbers (year, last_number) VALUES (2026, 7)");

    purge(true);

    assertEquals(before, catalog());
    MigrateResult again = BillingMigrations.run(dataSource);
    assertEquals(first.migrationsExecuted, again.migrationsExecuted);
    assertEquals(first.targetSchemaVersion, again.targetSchemaVersion);
    assertEquals(0L, count("SELECT count(*) FROM billing_invoice_numbers"));
  }

  @Test
  void billingObjectsThatDependOnEachOtherAreAllDroppedWithoutCascade() throws SQLException {
    Set<String> before = catalog();
    BillingMigrations.run(dataSource);
    // what a later migration might add: a view over a view, a type used by a table and a view
    execute("CREATE TYPE billing_test_mood AS ENUM ('calm', 'busy')");
    execute("CREATE DOMAIN billing_test_moods AS billing_test_mood");
    execute("ALTER TABLE billing_invoice_numbers ADD COLUMN mood billing_test_moods");
    execute("CREATE SEQUENCE billing_test_numbers");
    execute(
        "ALTER TABLE billing_invoice_numbers"
            + " ADD COLUMN n bigint DEFAULT nextval('billing_test_numbers')");
    execute("CREATE VIEW billing_test_years AS SELECT year, mood FROM billing_invoice_numbers");
    execute("CREATE VIEW billing_test_last_year AS SELECT max(year) FROM billing_test_years");

    purge(true);

    assertEquals(before, catalog());
  }

  @Test
  void anotherPluginsViewOverABillingTableMakesThePurgeRefuseAndKeepsEverything()
      throws SQLException {
    BillingMigrations.run(dataSource);
    execute("INSERT INTO billing_invoice_numbers (year, last_number) VALUES (2026, 7)");
    execute("CREATE VIEW reports_invoice_years AS SELECT year FROM billing_invoice_numbers");

    assertPurgeRefusedNaming("reports_invoice_years");
    assertEquals(1L, count("SELECT count(*) FROM reports_invoice_years"));
  }

  @Test
  void anotherPluginsForeignKeyToABillingTableMakesThePurgeRefuseAndKeepsEverything()
      throws SQLException {
    BillingMigrations.run(dataSource);
    execute("INSERT INTO billing_invoice_numbers (year, last_number) VALUES (2026, 7)");
    execute(
        "CREATE TABLE reports_notes (year int REFERENCES billing_invoice_numbers (year), note"
            + " text)");
    execute("INSERT INTO reports_notes VALUES (2026, 'kept')");

    assertPurgeRefusedNaming("reports_notes");
    assertEquals(1L, count("SELECT count(*) FROM billing_invoice_numbers"));
    assertEquals(1L, count("SELECT count(*) FROM reports_notes"));
  }

  @Test
  void anotherPluginsColumnTypedWithABillingTypeMakesThePurgeRefuseAndKeepsEverything()
      throws SQLException {
    BillingMigrations.run(dataSource);
    execute("CREATE TYPE billing_test_mood AS ENUM ('calm', 'busy')");
    execute("CREATE TABLE reports_moods (mood billing_test_mood)");

    assertPurgeRefusedNaming("reports_moods");
  }

  @Test
  void aPurgeRolledBackWithTheHostsTransactionLeavesEverything() throws SQLException {
    BillingMigrations.run(dataSource);
    execute("INSERT INTO billing_invoice_numbers (year, last_number) VALUES (2026, 7)");
    Set<String> migrated = catalog();

    purge(false);

    assertEquals(migrated, catalog());
    assertEquals(1L, count("SELECT count(*) FROM billing_invoice_numbers"));
  }

  /** The purge fails on the dependent object, named, and every object is still there. */
  private void assertPurgeRefusedNaming(String dependent) throws SQLException {
    Set<String> everything = catalog();

    SQLException refused = assertThrows(SQLException.class, () -> purge(true));

    assertEquals(BillingPurge.DEPENDENT_OBJECTS_STILL_EXIST, refused.getSQLState());
    assertTrue(refused.getMessage().contains(dependent), refused.getMessage());
    assertEquals(everything, catalog());
  }

  private void purge(boolean commit) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        new BillingExtension().purgeData(connection);
      } catch (SQLException failure) {
        connection.rollback(); // as the host does
        throw failure;
      }
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
    }
  }

  private Set<String> catalog() throws SQLException {
    Set<String> objects = new TreeSet<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(CATALOG)) {
      while (rows.next()) {
        objects.add(rows.getString(1));
      }
    }
    return objects;
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
