package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestDatabasesTest {

  @TempDir Path work;

  @Test
  void eachCallerGetsAnEmptyDatabaseOfItsOwnOnTheSharedServer() throws SQLException {
    String first = TestDatabases.freshDatabaseUrl();
    String second = TestDatabases.freshDatabaseUrl();
    assertNotEquals(first, second);

    try (Connection connection = DriverManager.getConnection(first);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE only_in_the_first (id int)");
    }
    try (Connection connection = DriverManager.getConnection(second);
        ResultSet tables =
            connection
                .createStatement()
                .executeQuery("SELECT 1 FROM pg_tables WHERE schemaname = 'public'")) {
      assertFalse(tables.next());
    }
  }

  @Test
  void aCopyHoldsWhatItsTemplateHeld_andWhatEitherGetsLaterIsItsOwn() throws SQLException {
    String template = TestDatabases.freshDatabaseUrl();
    try (Connection connection = DriverManager.getConnection(template);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE kept (id int)");
      statement.execute("INSERT INTO kept VALUES (1)");
    }

    String copy = TestDatabases.freshDatabaseUrlCopying(TestDatabases.databaseName(template));
    assertNotEquals(template, copy);
    try (Connection connection = DriverManager.getConnection(copy);
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO kept VALUES (2)");
    }

    assertEquals(1, count(template, "SELECT count(*) FROM kept"));
    assertEquals(2, count(copy, "SELECT count(*) FROM kept"));
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        ResultSet rows = connection.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void aServerOfTheTestsOwnRestartsInPlaceWithItsDataAndAddress() throws Exception {
    int port = FreePort.find();
    String url;
    try (EmbeddedPostgres server = TestDatabases.startServerIn(work.resolve("pg"), port);
        Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      url = server.getJdbcUrl("postgres", "postgres");
      statement.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before')");
    }
    try (EmbeddedPostgres again = TestDatabases.startServerIn(work.resolve("pg"), port);
        Connection connection = DriverManager.getConnection(url);
        ResultSet kept = connection.createStatement().executeQuery("SELECT note FROM kept")) {
      kept.next();
      assertEquals("before", kept.getString(1));
    }
  }
}
