package io.streamspace.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for tests, embedded (Zonky, with its test defaults: no fsync, no synchronous
 * commit): one shared server per test JVM, on which each caller gets a fresh, empty database, and
 * servers of a test's own that it stops and starts again.
 */
public final class TestDatabases {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres shared;

  private TestDatabases() {}

  /** Creates an empty database and returns its JDBC URL (the user in the query, no password). */
  public static String freshDatabaseUrl() {
    return createDatabase("");
  }

  /**
   * Creates a database holding what {@code template} (one of {@link #freshDatabaseUrl()}'s names,
   * which nothing may be connected to meanwhile) holds, and returns its JDBC URL.
   */
  public static String freshDatabaseUrlCopying(String template) {
    if (!template.matches("test_\\d+")) {
      throw new IllegalArgumentException("not a test database: " + template);
    }
    return createDatabase(" TEMPLATE " + template);
  }

  private static String createDatabase(String options) {
    String name = "test_" + COUNTER.incrementAndGet();
    EmbeddedPostgres server = sharedServer();
    try (Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name + options);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return server.getJdbcUrl("postgres", name);
  }

  /** The name of the database a JDBC URL of {@link #freshDatabaseUrl()}'s names. */
  public static String databaseName(String jdbcUrl) {
    String path = jdbcUrl.replaceFirst("\\?.*$", "");
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * Starts a server of the caller's own with its data in {@code dataDirectory} (kept, not wiped)
   * on {@code port}: called again after {@code close()}, it is the same server restarted in place,
   * same data and same address. The caller closes it.
   */
  public static EmbeddedPostgres startServerIn(Path dataDirectory, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  private static synchronized EmbeddedPostgres sharedServer() {
    if (shared == null) {
      try {
        shared = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::stopSharedServer));
    }
    return shared;
  }

  private static void stopSharedServer() {
    try {
      shared.close();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }
}
